import { ModbusTcpClient, scanSunSpec } from '@hyphae/drivers/modbus';
import { DriverError } from '@hyphae/drivers/sensor';
import { intOption, parse, required, UsageError } from './args.js';
import { InputFileError } from './flow.js';

/** hyphae modbus scan --host H --port P --unit U: SunSpec discovery, as JSON. */
export async function modbusScan(argv: string[]): Promise<number> {
  const { values } = parse(argv, { host: { type: 'string' }, port: { type: 'string' }, unit: { type: 'string' }, timeout: { type: 'string' } });
  const host = required(values, 'host');
  const port = intOption(values, 'port') ?? 502;
  const unit = intOption(values, 'unit') ?? 1;
  if (unit < 0 || unit > 247) throw new UsageError('--unit must be 0–247');
  const client = new ModbusTcpClient({ host, port, unit, timeoutMs: intOption(values, 'timeout') ?? 2000 });
  try {
    const scan = await scanSunSpec(client);
    process.stdout.write(JSON.stringify(scan, null, 2) + '\n');
    return 0;
  } catch (e) {
    if (e instanceof DriverError) throw new InputFileError(`${host}:${port} unit ${unit}: ${e.message}`);
    throw e;
  } finally {
    await client.close();
  }
}
