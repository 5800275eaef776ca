import { getConnInfo } from '@hono/node-server/conninfo';
import type { Clock } from '../clock.js';
import type { App, AppEnv, Ctx, HttpDeps } from './context.js';

/**
 * The captive portal, hub side. Phones probe a well-known URL when they
 * join a Wi-Fi network; DNS on the hub's network sends every name here. Until
 * a resident signs in or presses "continue", the probes get a redirect to
 * the console, which makes the phone open its sign-in sheet; after that they
 * get the answer each operating system expects, so the phone keeps the
 * Wi-Fi although there is no internet. The RFC 8908 API says the same in JSON.
 */
export class CaptivePortal {
  private readonly released = new Map<string, number>();
  constructor(
    private readonly clock: Clock,
    private readonly ttlMs = 24 * 3_600_000,
  ) {}
  release(client: string): void {
    this.released.set(client, this.clock.now() + this.ttlMs);
  }
  isReleased(client: string): boolean {
    const until = this.released.get(client);
    if (until === undefined) return false;
    if (until < this.clock.now()) {
      this.released.delete(client);
      return false;
    }
    return true;
  }
}

export function clientAddress(c: Ctx): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'in-process';
  }
}

/** What each operating system's probe expects when the network is open. */
const PROBES: Array<{ paths: string[]; ok: (c: Ctx) => Response }> = [
  { paths: ['/generate_204', '/gen_204'], ok: (c) => c.body(null, 204) },
  { paths: ['/hotspot-detect.html', '/library/test/success.html'], ok: (c) => c.html('<HTML><HEAD><TITLE>Success</TITLE></HEAD><BODY>Success</BODY></HTML>') },
  { paths: ['/connecttest.txt'], ok: (c) => c.text('Microsoft Connect Test') },
  { paths: ['/ncsi.txt'], ok: (c) => c.text('Microsoft NCSI') },
  { paths: ['/canonical.html'], ok: (c) => c.html('<meta http-equiv="refresh" content="0;url=https://support.mozilla.org/kb/captive-portal"/>') },
  { paths: ['/success.txt'], ok: (c) => c.text('success\n') },
];

export function registerCaptivePortal(app: App, deps: HttpDeps, portal: CaptivePortal): void {
  const portalUrl = (c: Ctx) =>
    deps.config.hub.publicUrl || (deps.config.network.address ? `http://${deps.config.network.address}${portSuffix(c)}/` : new URL('/', c.req.url).href);
  for (const probe of PROBES) {
    for (const path of probe.paths) {
      app.get(path, (c) => {
        if (portal.isReleased(clientAddress(c))) return probe.ok(c);
        c.header('cache-control', 'no-store');
        return c.redirect(portalUrl(c), 302);
      });
    }
  }
  // RFC 8908: the captive-portal API, advertised by DHCP option 114 (RFC 8910).
  app.get('/captive-portal/api', (c) => {
    c.header('cache-control', 'private, no-store');
    return c.body(JSON.stringify({ captive: !portal.isReleased(clientAddress(c)), 'user-portal-url': portalUrl(c), 'venue-info-url': portalUrl(c) }), 200, {
      'content-type': 'application/captive+json',
    });
  });
  app.post('/captive-portal/continue', (c) => {
    portal.release(clientAddress(c));
    return c.body(null, 204);
  });
}

function portSuffix(c: Ctx): string {
  const port = new URL(c.req.url).port;
  return port && port !== '80' ? `:${port}` : '';
}

export type { AppEnv };
