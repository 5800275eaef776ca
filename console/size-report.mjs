// Prints the first-load size (JS + CSS, gzip) against the console's budget.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export const BUDGET = 60 * 1024;
export function firstLoadBytes(dir = new URL('./dist/', import.meta.url).pathname) {
  const assets = join(dir, 'assets');
  return readdirSync(assets)
    .filter((f) => f.endsWith('.js') || f.endsWith('.css'))
    .reduce((n, f) => n + gzipSync(readFileSync(join(assets, f)), { level: 9 }).length, 0);
}
if (import.meta.url === `file://${process.argv[1]}`) {
  const n = firstLoadBytes();
  console.log(`console first load: ${(n / 1024).toFixed(1)} KiB gzip of JS and CSS (budget ${BUDGET / 1024} KiB)`);
  if (n > BUDGET) process.exitCode = 1;
}
