import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema, Hub, silentLogger, type ConfigInput } from '@hyphae/device';

/**
 * A whole hub in the test's own process, on loopback ports the kernel picks,
 * in a fresh data folder, with its scheduled jobs off (tests drive them).
 * `stop` stops it and removes the folder; hand it to the test's cleanup.
 */
export async function startInProcessHub(config: ConfigInput, prefix = 'hyphae-hub-'): Promise<{ hub: Hub; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const hub = new Hub({
    dataDir: dir,
    config: configSchema.parse({ http: { port: 0, host: '127.0.0.1' }, time: { source: 'system' }, ...config }),
    log: silentLogger,
    jobs: false,
  });
  await hub.start();
  return {
    hub,
    stop: async () => {
      await hub.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
