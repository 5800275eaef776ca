import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveStatic } from '@hono/node-server/serve-static';
import type { HubConfig } from '../config/schema.js';
import type { App } from './context.js';

/** Where the built console is: beside the bundle on the card, console/dist in the repository. */
export function consoleDir(): string {
  return process.env.HYPHAE_CONSOLE_DIR ?? fileURLToPath(new URL('../../../console/dist/', import.meta.url));
}

export const CONSOLE_FILES = [
  '/sw.js',
  '/manifest.webmanifest',
  '/favicon.ico',
  '/icon.svg',
  '/icon-maskable.svg',
  '/icon-192.png',
  '/icon-512.png',
  '/icon-maskable-512.png',
  '/apple-touch-icon.png',
];

/**
 * Serves the console's files, and its index for every other path that is
 * not the API: with DNS hijacked, phones ask for any name and any path.
 */
export function registerConsole(app: App, dir = consoleDir(), ownHosts: string[] = []): boolean {
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
  // The shell's own files, and the icons "Add to home screen" and the tab use (not the index, as any other path gets).
  for (const f of CONSOLE_FILES) app.get(f, serveStatic({ path: join(dir, f.slice(1)), precompressed: true }));
  const own = new Set(['localhost', '127.0.0.1', ...ownHosts].map((h) => h.toLowerCase()));
  app.get('*', (c, next) => {
    if (c.req.path.startsWith('/api/')) return next();
    // Browsers give no service worker to plain-http pages, which is how
    // phones reach the hub on its Wi-Fi (http://10.42.0.1). There the browser
    // may keep the shell itself for a day instead, so a console opened again
    // over a failing link still starts and shows the last data with its age;
    // the shell checks for a newer one whenever the hub answers (main.tsx).
    // Only under the hub's own names: DNS answers every name with the hub,
    // and a phone must not keep the console as, say, http://example.com/.
    const host = new URL(c.req.url).hostname.toLowerCase();
    c.header('cache-control', own.has(host) ? 'private, max-age=86400' : 'no-cache');
    return c.html(html);
  });
  return true;
}

/** The names residents reach the hub by: its public URL's host and its Wi-Fi address. */
export function ownHosts(config: Pick<HubConfig, 'hub' | 'network'>): string[] {
  const hosts = [config.network.address];
  if (config.hub.publicUrl) {
    try {
      hosts.push(new URL(config.hub.publicUrl).hostname);
    } catch {
      // a malformed public URL is reported where it is used
    }
  }
  return hosts;
}
