import { ModbusRtuBus, ModbusTcpClient, PARITIES, scanSunSpec, type RegisterReader } from '@hyphae/drivers/modbus';
import { DriverError } from '@hyphae/drivers/sensor';
import { intOption, parse, UsageError, TEXT } from './args.js';
import { InputFileError } from './flow.js';

/**
 * hyphae modbus scan --host H [--port P] [--unit U]
 * hyphae modbus scan --serial /dev/ttyUSB0 [--baud 9600] [--parity none|even|odd] [--unit U]
 * SunSpec discovery over TCP or RTU, as JSON.
 */
export async function modbusScan(argv: string[]): Promise<number> {
  const { values } = parse(argv, { host: TEXT, port: TEXT, unit: TEXT, timeout: TEXT, serial: TEXT, baud: TEXT, parity: TEXT });
  const unit = intOption(values, 'unit') ?? 1;
  if (unit < 0 || unit > 247) throw new UsageError('--unit must be 0–247');
  const timeoutMs = intOption(values, 'timeout') ?? 2000;
  const serial = values.serial as string | undefined;
  const host = values.host as string | undefined;
  if (!serial === !host) throw new UsageError('give --host for Modbus TCP or --serial for RTU, not both');
  const parity = (values.parity as string | undefined) ?? 'none';
  if (!(PARITIES as readonly string[]).includes(parity)) throw new UsageError('--parity is none, even or odd');
  let reader: RegisterReader;
  let close: () => Promise<void>;
  let where: string;
  if (serial) {
    const bus = new ModbusRtuBus(
      { path: serial, baudRate: intOption(values, 'baud') ?? 9600, parity: parity as (typeof PARITIES)[number], dataBits: 8, stopBits: 1 },
      timeoutMs,
    );
    reader = bus.reader(unit);
    close = () => bus.close();
    where = serial;
  } else if (host) {
    const port = intOption(values, 'port') ?? 502;
    const client = new ModbusTcpClient({ host, port, unit, timeoutMs });
    reader = client;
    close = () => client.close();
    where = `${host}:${port}`;
  } else throw new UsageError('give --host for Modbus TCP or --serial for RTU');
  try {
    const scan = await scanSunSpec(reader);
    process.stdout.write(JSON.stringify(scan, null, 2) + '\n');
    return 0;
  } catch (e) {
    if (e instanceof DriverError) throw new InputFileError(`${where} unit ${unit}: ${e.message}`);
    throw e;
  } finally {
    await close();
  }
}
