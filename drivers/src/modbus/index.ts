/** The Modbus driver's public surface. */
export { ModbusRtuBus, ModbusTcpClient, PARITIES, type RegisterReader, type SerialLine } from './client.js';
export { classifyModbusError } from './errors.js';
export { ModbusPoller, MAX_BACKOFF_MS, type PolledDevice } from './poller.js';
export { decodeWords, encodeWords, applyScale, TYPE_SIZE, type RegisterType } from './registers.js';
export { loadSunSpecModels, scanSunSpec, decodeBlock, SUNSPEC_BASES, type ModelDef, type DecodedModel } from './sunspec.js';
export { loadTemplates, readTemplate, counterDelta, type Template } from './templates.js';
