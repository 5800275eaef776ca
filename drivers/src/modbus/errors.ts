import { DriverError } from '../sensor.js';

/**
 * Sorts a Modbus failure: a timeout, a CRC error or a dropped connection
 * may pass, so it is worth a retry with backoff; an exception from the
 * device itself (illegal function or address) will not.
 */
export function classifyModbusError(e: unknown): DriverError {
  const err = e as { modbusCode?: number; message?: string; name?: string; errno?: string; code?: string };
  if (typeof err?.modbusCode === 'number') {
    const names: Record<number, string> = {
      1: 'illegal function',
      2: 'illegal data address',
      3: 'illegal data value',
      4: 'device failure',
      6: 'device busy',
      11: 'gateway target failed to respond',
    };
    const retryable = err.modbusCode === 6 || err.modbusCode === 11 || err.modbusCode === 4;
    return new DriverError(`Modbus exception ${err.modbusCode} (${names[err.modbusCode] ?? 'unknown'})`, retryable, `modbus-exception-${err.modbusCode}`);
  }
  const msg = err?.message ?? String(e);
  if (/timed out/i.test(msg) || err?.name === 'TransactionTimedOutError') return new DriverError('no answer in time', true, 'modbus-timeout');
  if (/crc/i.test(msg)) return new DriverError('CRC error', true, 'modbus-crc');
  if (/ECONNREFUSED|ECONNRESET|EHOSTUNREACH|Port Not Open|EPIPE/i.test(`${msg} ${err?.errno ?? ''} ${err?.code ?? ''}`))
    return new DriverError(`connection: ${msg}`, true, 'modbus-connection');
  return new DriverError(msg, true, 'modbus-error');
}
