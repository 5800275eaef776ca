import { readFileSync } from 'node:fs';
import ModbusSerial from 'modbus-serial';
import { encodeWords, loadSunSpecModels, loadTemplates } from '@hyphae/drivers/modbus';

/**
 * Modbus TCP devices for tests and the demo, built from data files: a
 * SunSpec register map (models encoded with the same definitions the hub
 * decodes with), or a vendor template's registers. A device can be told to
 * stop answering, to test timeouts and backoff.
 */
export interface SunSpecFixture {
  kind: 'sunspec';
  base: number;
  models: Array<{ id: number; values: Record<string, number | string | null>; modules?: Array<Record<string, number | string | null>> }>;
}
export interface TemplateFixture {
  kind: 'template';
  template: string;
  values: Record<string, number | null>;
}

export const FIXTURES = new URL('../../fixtures/modbus/', import.meta.url);

export function loadFixture(name: string): SunSpecFixture | TemplateFixture {
  return JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as SunSpecFixture | TemplateFixture;
}

/** Register address → value, for holding and input registers. */
export interface RegisterMap {
  holding: Map<number, number>;
  input: Map<number, number>;
}

export function sunspecRegisters(f: SunSpecFixture): RegisterMap {
  const defs = loadSunSpecModels();
  const holding = new Map<number, number>();
  let addr = f.base;
  const put = (words: number[]) => words.forEach((w) => holding.set(addr++, w));
  put([0x5375, 0x6e53]);
  for (const m of f.models) {
    const def = defs.get(m.id);
    if (!def) throw new Error(`no definition for model ${m.id}`);
    const modules = m.modules ?? [];
    const length = def.length + (def.repeatLength ?? 0) * modules.length;
    put([m.id, length]);
    for (const p of def.points) put(encodeWords(p.type, m.values[p.name] ?? null));
    for (const mod of modules) for (const p of def.repeating ?? []) put(encodeWords(p.type, mod[p.name] ?? null));
  }
  put([0xffff, 0]);
  return { holding, input: new Map() };
}

/** Fixture values are raw register values, as the device would hold them (before the template's scale). */
export function templateRegisters(f: TemplateFixture): RegisterMap {
  const t = loadTemplates().get(f.template);
  if (!t) throw new Error(`no template ${f.template}`);
  const maps: RegisterMap = { holding: new Map(), input: new Map() };
  for (const r of t.registers) {
    const words = encodeWords(r.type, f.values[r.name] ?? null, r.wordOrder ?? 'big');
    const target = r.function === 'holding' ? maps.holding : maps.input;
    words.forEach((w, i) => target.set(r.address - r.base + i, w));
  }
  return maps;
}

type ServerTCPType = InstanceType<typeof ModbusSerial.ServerTCP>;
const ServerTCP = ((ModbusSerial as unknown as { ServerTCP?: unknown }).ServerTCP ??
  (ModbusSerial as unknown as { default: { ServerTCP: unknown } }).default.ServerTCP) as new (
  vector: object,
  options: object,
) => ServerTCPType;

async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise<number>((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (srv.address() as { port: number }).port;
      srv.close(() => resolve(p));
    });
  });
}

export class ModbusSimulator {
  private server: ServerTCPType | undefined;
  /** While true, requests get no answer at all, like a meter with a cut cable. */
  silent = false;
  requests = 0;
  port = 0;

  constructor(
    readonly registers: RegisterMap,
    private readonly unit = 1,
  ) {}

  static fromFixture(name: string, unit = 1): ModbusSimulator {
    const f = loadFixture(name);
    return new ModbusSimulator(f.kind === 'sunspec' ? sunspecRegisters(f) : templateRegisters(f), unit);
  }

  async start(port = 0): Promise<void> {
    const reply = (map: Map<number, number>) => (addr: number, length: number, unitID: number, cb: (err: unknown, v?: number[]) => void) => {
      this.requests++;
      if (this.silent) return; // never answer
      if (unitID !== this.unit) return;
      const out: number[] = [];
      for (let i = 0; i < length; i++) {
        const v = map.get(addr + i);
        if (v === undefined) return cb({ modbusErrorCode: 0x02, msg: 'Illegal data address' });
        out.push(v);
      }
      cb(null, out);
    };
    const vector = {
      getMultipleHoldingRegisters: reply(this.registers.holding),
      getMultipleInputRegisters: reply(this.registers.input),
      getHoldingRegister: (addr: number, unitID: number, cb: (err: unknown, v?: number) => void) =>
        reply(this.registers.holding)(addr, 1, unitID, (e, v) => cb(e, v?.[0])),
      getInputRegister: (addr: number, unitID: number, cb: (err: unknown, v?: number) => void) =>
        reply(this.registers.input)(addr, 1, unitID, (e, v) => cb(e, v?.[0])),
    };
    // ServerTCP does not report the port it bound, so pick a free one first;
    // if another test grabbed it meanwhile, try again with a new one.
    for (let attempt = 0; ; attempt++) {
      const p = port || (await freePort());
      try {
        await new Promise<void>((resolve, reject) => {
          const server = new ServerTCP(vector, { host: '127.0.0.1', port: p, unitID: this.unit });
          this.server = server;
          const timer = setTimeout(() => reject(new Error(`Modbus simulator did not start on port ${p}`)), 2000);
          server.on('socketError', () => undefined);
          server.on('initialized', () => {
            clearTimeout(timer);
            resolve();
          });
          const fail = (e: unknown) => {
            clearTimeout(timer);
            reject(e instanceof Error ? e : new Error(String(e)));
          };
          server.on('serverError', fail);
          server.on('error', fail);
        });
        this.port = p;
        return;
      } catch (e) {
        await this.stop().catch(() => undefined);
        if (port || attempt >= 4) throw e;
      }
    }
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    // Drop clients still connected (a silent device leaves them hanging), then close.
    for (const sock of s.socks?.keys() ?? []) sock.destroy();
    await new Promise<void>((r) => {
      const t = setTimeout(r, 1000);
      s.close(() => {
        clearTimeout(t);
        r();
      });
    });
  }
}

/** The register address of a SunSpec point in a fixture's map (for simulators that change values). */
export function sunspecPointAddress(f: SunSpecFixture, modelId: number, point: string): number {
  const defs = loadSunSpecModels();
  let addr = f.base + 2;
  for (const m of f.models) {
    const def = defs.get(m.id)!;
    const length = def.length + (def.repeatLength ?? 0) * (m.modules?.length ?? 0);
    if (m.id === modelId) {
      let off = 0;
      for (const p of def.points) {
        if (p.name === point) return addr + 2 + off;
        off += ({ string8: 8, string16: 16, uint32: 2, int32: 2, acc32: 2, float32: 2, bitfield32: 2 } as Record<string, number>)[p.type] ?? 1;
      }
      throw new Error(`model ${modelId} has no point ${point}`);
    }
    addr += 2 + length;
  }
  throw new Error(`fixture has no model ${modelId}`);
}

/** Writes words at an address (a simulated device's value changing). */
export function setWords(map: Map<number, number>, address: number, words: number[]): void {
  words.forEach((w, i) => map.set(address + i, w));
}
