// Prints the first-load size (the JS and CSS that index.html loads, gzip,
// with the largest language's words) against the console's budget. Chunks loaded later (the dashboard's plots)
// are reported apart.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export const BUDGET = 60 * 1024;
const gz = (file) => gzipSync(readFileSync(file), { level: 9 }).length;

/** The words of one language (en, sv, es…), each its own chunk; one of them always loads first. */
const DICTIONARY = /^[a-z]{2}-[\w-]+\.js$/;

export function firstLoadBytes(dir = new URL('./dist/', import.meta.url).pathname) {
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  const refs = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
  // Counted with the largest language's words, since the console shows nothing before one arrives.
  const words = readdirSync(join(dir, 'assets')).filter((f) => DICTIONARY.test(f)).map((f) => gz(join(dir, 'assets', f)));
  return refs.reduce((n, f) => n + gz(join(dir, f)), 0) + Math.max(0, ...words);
}

export function laterBytes(dir = new URL('./dist/', import.meta.url).pathname) {
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  return readdirSync(join(dir, 'assets'))
    .filter((f) => (f.endsWith('.js') || f.endsWith('.css')) && !html.includes(`/assets/${f}`) && !DICTIONARY.test(f))
    .reduce((n, f) => n + gz(join(dir, 'assets', f)), 0);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = firstLoadBytes();
  console.log(`console first load: ${(n / 1024).toFixed(1)} KiB gzip of JS and CSS (budget ${BUDGET / 1024} KiB); loaded later: ${(laterBytes() / 1024).toFixed(1)} KiB`);
  if (n > BUDGET) process.exitCode = 1;
}
