import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ModbusSerial from 'modbus-serial';
import type { RegisterMap } from './simulator.js';

/**
 * A serial line for tests: socat joins two pseudo-terminals back to back,
 * a null-modem cable in software. The hub opens one end as its RS485
 * adapter; the simulated devices answer Modbus RTU on the other.
 */
export interface NullModem {
  hubSide: string;
  deviceSide: string;
  close(): Promise<void>;
}

export function socatAvailable(): boolean {
  return ['/usr/bin/socat', '/bin/socat', '/usr/local/bin/socat'].some((p) => existsSync(p));
}

export async function openNullModem(): Promise<NullModem> {
  const dir = mkdtempSync(join(tmpdir(), 'hyphae-tty-'));
  const hubSide = join(dir, 'hub');
  const deviceSide = join(dir, 'devices');
  const proc: ChildProcess = spawn('socat', [`pty,raw,echo=0,link=${hubSide}`, `pty,raw,echo=0,link=${deviceSide}`], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !(existsSync(hubSide) && existsSync(deviceSide)); i++) await new Promise((r) => setTimeout(r, 20));
  if (!existsSync(hubSide)) throw new Error('socat did not make the pseudo-terminals');
  return {
    hubSide,
    deviceSide,
    close: async () => {
      proc.kill();
      await new Promise((r) => proc.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

type ServerSerialType = InstanceType<typeof ModbusSerial.ServerSerial>;
const ServerSerial = ((ModbusSerial as unknown as { ServerSerial?: unknown }).ServerSerial ??
  (ModbusSerial as unknown as { default: { ServerSerial: unknown } }).default.ServerSerial) as new (
  vector: object,
  options: object,
) => ServerSerialType;

/**
 * Several Modbus RTU devices on one bus, each with its unit address and
 * register map, answering on a serial port. A unit can be made silent, like
 * a meter whose wire came loose; it then never answers, and the others
 * still do.
 */
export class RtuBusSimulator {
  private server: ServerSerialType | undefined;
  readonly silent = new Set<number>();
  readonly requests = new Map<number, number>();

  constructor(
    private readonly units: Map<number, RegisterMap>,
    private readonly baudRate = 19_200,
  ) {}

  async start(path: string): Promise<void> {
    const reply =
      (pick: (m: RegisterMap) => Map<number, number>) => (addr: number, length: number, unitID: number, cb: (err: unknown, v?: number[]) => void) => {
        this.requests.set(unitID, (this.requests.get(unitID) ?? 0) + 1);
        const m = this.units.get(unitID);
        if (!m || this.silent.has(unitID)) return; // nobody at that address, or a dead device: no answer at all
        const out: number[] = [];
        for (let i = 0; i < length; i++) {
          const v = pick(m).get(addr + i);
          if (v === undefined) return cb({ modbusErrorCode: 0x02, msg: 'Illegal data address' });
          out.push(v);
        }
        cb(null, out);
      };
    const vector = {
      getMultipleHoldingRegisters: reply((m) => m.holding),
      getMultipleInputRegisters: reply((m) => m.input),
      getHoldingRegister: (a: number, u: number, cb: (e: unknown, v?: number) => void) => reply((m) => m.holding)(a, 1, u, (e, v) => cb(e, v?.[0])),
      getInputRegister: (a: number, u: number, cb: (e: unknown, v?: number) => void) => reply((m) => m.input)(a, 1, u, (e, v) => cb(e, v?.[0])),
    };
    await new Promise<void>((resolve, reject) => {
      // unitID 255: take every address on the bus and let the vector decide who answers.
      const server = new ServerSerial(vector, { path, baudRate: this.baudRate, parity: 'none', unitID: 255, interval: 10 });
      this.server = server;
      const t = setTimeout(() => reject(new Error(`RTU simulator did not open ${path}`)), 3000);
      server.on('initialized', () => {
        clearTimeout(t);
        resolve();
      });
      server.on('error', (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      });
    });
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }
}
