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
  app.use('/assets/*', serveStatic({ root: dir, onFound: (_p, c) => c.header('cache-control', 'public, max-age=31536000, immutable') }));
  for (const f of ['/sw.js', '/manifest.webmanifest']) app.get(f, serveStatic({ path: join(dir, f.slice(1)) }));
  app.get('*', (c, next) => {
    if (c.req.path.startsWith('/api/')) return next();
    c.header('cache-control', 'no-cache');
    return c.html(html);
  });
  return true;
}
