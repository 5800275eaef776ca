import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveStatic } from '@hono/node-server/serve-static';
import type { App } from './context.js';

/** Where the built console is: beside the bundle on the card, console/dist in the repository. */
export function consoleDir(): string {
  return process.env.HYPHAE_CONSOLE_DIR ?? fileURLToPath(new URL('../../../console/dist/', import.meta.url));
}

/**
 * Serves the console's files, and its index for every other path that is
 * not the API: with DNS hijacked, phones ask for any name and any path.
 */
export function registerConsole(app: App, dir = consoleDir()): boolean {
  const index = join(dir, 'index.html');
  if (!existsSync(index)) return false;
  const html = readFileSync(index, 'utf8');
  // The build writes .br and .gz beside each asset; the phone gets the smallest it accepts.
  // Asset names carry their content hash, so a phone may keep them for good. (serveStatic's onFound
  // runs after the response is built, too late for a header; hence this wrapper.)
  app.use('/assets/*', async (c, next) => {
    await next();
    if (c.res.status === 200) c.res.headers.set('cache-control', 'public, max-age=31536000, immutable');
  });
  app.use('/assets/*', serveStatic({ root: dir, precompressed: true }));
  for (const f of ['/sw.js', '/manifest.webmanifest']) app.get(f, serveStatic({ path: join(dir, f.slice(1)), precompressed: true }));
  app.get('*', (c, next) => {
    if (c.req.path.startsWith('/api/')) return next();
    c.header('cache-control', 'no-cache');
    return c.html(html);
  });
  return true;
}
