import ModbusSerial from 'modbus-serial';

type ModbusRTUType = InstanceType<typeof ModbusSerial.default>;

// modbus-serial is CommonJS: at run time the default import is the client
// class itself; its typings describe a namespace.
const ModbusRTU = ((ModbusSerial as unknown as { default?: unknown }).default ?? ModbusSerial) as unknown as new () => ModbusRTUType;
import { classifyModbusError } from './errors.js';

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

  private async read(fn: (a: number, n: number) => Promise<{ data: number[] }>, address: number, count: number): Promise<number[]> {
    await this.connect();
    const out: number[] = [];
    for (let off = 0; off < count; off += 125) {
      try {
        out.push(...(await fn(address + off, Math.min(125, count - off))).data);
      } catch (e) {
        const err = classifyModbusError(e);
        // A timed-out or broken connection is reopened on the next read.
        if (err.kind !== 'modbus-exception-2' && !err.kind.startsWith('modbus-exception')) await this.close();
        throw err;
      }
    }
    return out;
  }
}
