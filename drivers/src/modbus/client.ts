import ModbusSerial from 'modbus-serial';

type ModbusRTUType = InstanceType<typeof ModbusSerial.default>;

// modbus-serial is CommonJS: at run time the default import is the client
// class itself; its typings describe a namespace.
const ModbusRTU = ((ModbusSerial as unknown as { default?: unknown }).default ?? ModbusSerial) as unknown as new () => ModbusRTUType;
import { classifyModbusError } from './errors.js';

type ReadFn = (address: number, count: number) => Promise<{ data: number[] }>;

/**
 * Reads `count` registers in requests of at most 125, as the protocol
 * requires; a failure is classified, `onError` may close the line, and the
 * error is thrown on.
 */
async function readChunked(
  fn: ReadFn,
  address: number,
  count: number,
  onError: (err: ReturnType<typeof classifyModbusError>) => Promise<void> | undefined,
): Promise<number[]> {
  const out: number[] = [];
  for (let off = 0; off < count; off += 125) {
    try {
      out.push(...(await fn(address + off, Math.min(125, count - off))).data);
    } catch (e) {
      const err = classifyModbusError(e);
      await onError(err);
      throw err;
    }
  }
  return out;
}

/** The few register reads the hub needs, over one connection. */
export interface RegisterReader {
  readHolding(address: number, count: number): Promise<number[]>;
  readInput(address: number, count: number): Promise<number[]>;
}

export interface TcpTarget {
  host: string;
  port: number;
  unit: number;
  timeoutMs: number;
}

/** A Modbus TCP connection; reads longer than 125 registers are split, as the protocol requires. */
export class ModbusTcpClient implements RegisterReader {
  private client = new ModbusRTU();
  private connected = false;

  constructor(private readonly target: TcpTarget) {}

  async connect(): Promise<void> {
    if (this.connected && this.client.isOpen) return;
    this.client = new ModbusRTU();
    try {
      await this.client.connectTCP(this.target.host, { port: this.target.port });
    } catch (e) {
      throw classifyModbusError(e);
    }
    this.client.setID(this.target.unit);
    this.client.setTimeout(this.target.timeoutMs);
    this.connected = true;
  }

  async close(): Promise<void> {
    this.connected = false;
    if (this.client.isOpen) await new Promise<void>((r) => this.client.close(() => r()));
  }

  readHolding(address: number, count: number): Promise<number[]> {
    return this.read((a, n) => this.client.readHoldingRegisters(a, n), address, count);
  }

  readInput(address: number, count: number): Promise<number[]> {
    return this.read((a, n) => this.client.readInputRegisters(a, n), address, count);
  }

  private async read(fn: ReadFn, address: number, count: number): Promise<number[]> {
    await this.connect();
    // A timed-out or broken connection is reopened on the next read.
    return readChunked(fn, address, count, (err) => (err.kind.startsWith('modbus-exception') ? undefined : this.close()));
  }
}

/** A serial line: an RS485 bus through a USB adapter, or any tty. */
export const PARITIES = ['none', 'even', 'odd'] as const;

export interface SerialLine {
  path: string;
  baudRate: number;
  parity: (typeof PARITIES)[number];
  dataBits: 7 | 8;
  stopBits: 1 | 2;
}

/**
 * One Modbus RTU bus: a single serial port shared by every device on it.
 * The poller runs one request at a time per bus (RS485 is half-duplex);
 * each device's reader addresses its own unit. A timeout leaves the port
 * open (the next unit on the bus may well answer); a port that fails is
 * reopened on the next read.
 */
export class ModbusRtuBus {
  private client = new ModbusRTU();
  private opening: Promise<void> | null = null;

  constructor(
    readonly line: SerialLine,
    private readonly timeoutMs: number,
  ) {}

  private async open(): Promise<void> {
    if (this.client.isOpen) return;
    this.opening ??= (async () => {
      this.client = new ModbusRTU();
      try {
        await this.client.connectRTUBuffered(this.line.path, {
          baudRate: this.line.baudRate,
          parity: this.line.parity,
          dataBits: this.line.dataBits,
          stopBits: this.line.stopBits,
        });
      } catch (e) {
        throw classifyModbusError(e);
      } finally {
        this.opening = null;
      }
      this.client.setTimeout(this.timeoutMs);
    })();
    return this.opening;
  }

  reader(unit: number, timeoutMs = this.timeoutMs): RegisterReader & { close(): Promise<void> } {
    const read = async (fn: ReadFn, address: number, count: number) => {
      await this.open();
      this.client.setID(unit);
      this.client.setTimeout(timeoutMs);
      return readChunked(fn, address, count, (err) => (err.kind === 'modbus-connection' ? this.close() : undefined));
    };
    return {
      readHolding: (a, n) => read((x, y) => this.client.readHoldingRegisters(x, y), a, n),
      readInput: (a, n) => read((x, y) => this.client.readInputRegisters(x, y), a, n),
      // The port belongs to the bus, not to one device: closing a reader leaves it to the bus.
      close: async () => undefined,
    };
  }

  async close(): Promise<void> {
    if (this.client.isOpen) await new Promise<void>((r) => this.client.close(() => r()));
  }
}
