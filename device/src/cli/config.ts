import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfigFile } from '../config/load.js';
import { defaultConfig, type HubConfig } from '../config/schema.js';

/** --config FILE, else DATA/hub.json when it exists, else the defaults. */
export function resolveConfig(dataDir: string | undefined, configPath: string | undefined): HubConfig {
  if (configPath) return loadConfigFile(configPath);
  if (dataDir && existsSync(join(dataDir, 'hub.json'))) return loadConfigFile(join(dataDir, 'hub.json'));
  return defaultConfig();
}
