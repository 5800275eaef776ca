/** The hub's public surface for the other workspaces (test-rig, bench, provisioning). */
export { Hub, type HubOptions } from './hub.js';
export { openCore, ledgerParamsFrom, type Core } from './core.js';
export { configSchema, defaultConfig, CONFIG_VERSION, type HubConfig, type ConfigInput } from './config/schema.js';
export { parseConfig, loadConfigFile } from './config/load.js';
export { createLogger, silentLogger } from './log.js';
export { ManualClock, systemClock, DAY_MS, dayIndex, type Clock } from './clock.js';
export { HubError } from './errors.js';
export type { NewItem } from './library/library.js';
export type { Item } from './library/types.js';
export { verifyLedger, type VerifyReport } from './ledger/verify.js';
export { FUND, type Unit } from './ledger/types.js';
export { VERSION } from './version.js';
export { oneTimePassword } from './members/passwords.js';
export { openBackup, sealBackup, isSealedBackup, SEALED_FORMAT, type SealedBackup } from './crypto-box.js';
export { generateIdentity, identityFromPem, hubIdFromPublicKey, type HubIdentity } from './identity.js';
export { makeUpdate, checkUpdate, compareVersions } from './updates/update-file.js';
