import { chmodSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';

/**
 * The data folder holds the ledger, members' password hashes and the hub's
 * private key: only the hub's own user may read it. An SD card written on
 * another machine, a restore or a hand-made copy can leave it readable by
 * anyone on the Pi, so the modes are put right at every start, and said.
 */
export function secureDataDir(dataDir: string, log: Logger): string[] {
  const fixed: string[] = [];
  const fix = (path: string, want: number) => {
    const mode = statSync(path).mode & 0o777;
    if ((mode & ~want) === 0) return;
    chmodSync(path, want);
    fixed.push(`${path} ${mode.toString(8)} → ${want.toString(8)}`);
  };
  fix(dataDir, 0o700);
  for (const entry of readdirSync(dataDir, { withFileTypes: true })) {
    if (entry.isFile()) fix(join(dataDir, entry.name), 0o600);
    else if (entry.isDirectory()) fix(join(dataDir, entry.name), 0o700);
  }
  if (fixed.length > 0) log.warn({ module: 'hub', fixed }, 'the data folder was readable by others; its modes are put right');
  return fixed;
}
