import { launchChromium } from './chromium.js';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { type HubProcess, hyphae, startHubProcess } from './hub-process.js';
import { SHOTS } from './screenshots.js';

/**
 * What every Chromium journey file shares: a demo hub of its own, a
 * steward's token for setting things up through the API, Chromium, phones
 * (390 × 844, touch) that record any refusal by the content security policy,
 * and signing in as a demo member. Each journey file calls it once at the
 * top; the hub and browser start before its tests and stop after them.
 */
export interface ConsoleHub {
  readonly hub: HubProcess;
  /** For a journey that needs a browser context of its own (no touch, another scale, permissions). */
  readonly browser: Browser;
  readonly dir: string;
  /** A steward's bearer token. */
  readonly steward: string;
  /** What the content security policy refused, on any page of this file's journeys. */
  readonly cspViolations: string[];
  phone(lang?: string): Promise<Page>;
  signIn(page: Page, email: string): Promise<void>;
  /** GET as the steward. */
  api(path: string): Promise<any>;
  /** A change as the steward. */
  send(method: string, path: string, body: unknown): Promise<any>;
  memberId(name: string): Promise<string>;
  /** Opens a page as a resident would: from its tab, or from More when it has none. */
  navTo(page: Page, route: string): Promise<void>;
}

export function consoleHub(prefix: string): ConsoleHub {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  let hub: HubProcess | undefined;
  let browser: Browser | undefined;
  let steward = '';
  const cspViolations: string[] = [];
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    hub = await startHubProcess({ dataDir: dir, args: ['--demo'], timeoutMs: 60_000 });
    steward = hyphae(['token', 'create', '--data', dir, '--email', 'steward@demo.hyphae']).out.trim();
    browser = await launchChromium();
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const url = () => {
    if (!hub) throw new Error('the hub starts in beforeAll');
    return hub.url;
  };
  const api = async (path: string) => (await fetch(`${url()}/api/v1${path}`, { headers: { authorization: `Bearer ${steward}` } })).json() as Promise<any>;
  return {
    get hub() {
      if (!hub) throw new Error('the hub starts in beforeAll');
      return hub;
    },
    get browser() {
      if (!browser) throw new Error('the browser starts in beforeAll');
      return browser;
    },
    dir,
    get steward() {
      return steward;
    },
    cspViolations,
    async phone(lang = 'en') {
      if (!browser) throw new Error('the browser starts in beforeAll');
      const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, locale: lang, isMobile: true, hasTouch: true });
      const page = await ctx.newPage();
      page.on('console', (m) => {
        if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) cspViolations.push(`${page.url()}: ${m.text()}`);
      });
      record(page);
      return page;
    },
    async signIn(page, email) {
      await page.goto(`${url()}/`);
      await page.fill('input[name=email]', email);
      await page.fill('input[name=password]', 'hyphae-demo');
      await page.click('button[type=submit]');
      try {
        await page.waitForSelector('[data-testid=balance]');
      } catch (e) {
        throw new Error(`${(e as Error).message}\n${await whatHappened(page, hub?.logs ?? [])}`);
      }
    },
    api,
    send: async (method, path, body) =>
      (
        await fetch(`${url()}/api/v1${path}`, {
          method,
          headers: { authorization: `Bearer ${steward}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      ).json(),
    memberId: async (name) => (await api(`/members?q=${encodeURIComponent(name)}`)).members[0].id,
    async navTo(page, route) {
      const tab = page.locator(`nav a[href="#${route}"]`);
      if ((await tab.count()) > 0) return tab.click();
      await page.click('nav a[href="#/more"]');
      await page.click(`.more-links a[href="#${route}"]`);
    },
  };
}

/** The last things each phone's page did (requests, answers, loads, errors), for a wait that gives up. */
const timelines = new WeakMap<Page, string[]>();
function record(page: Page): void {
  const t0 = Date.now();
  const lines: string[] = [];
  timelines.set(page, lines);
  const note = (what: string) => {
    lines.push(`${String(Date.now() - t0).padStart(6)} ms  ${what}`);
    if (lines.length > 60) lines.shift();
  };
  page.on('request', (r) => note(`→ ${r.method()} ${new URL(r.url()).pathname}`));
  page.on('response', (r) => note(`← ${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`));
  page.on('requestfailed', (r) => note(`✗ ${r.method()} ${new URL(r.url()).pathname}: ${r.failure()?.errorText}`));
  page.on('framenavigated', (f) => f === page.mainFrame() && note(`loaded ${f.url()}`));
  page.on('pageerror', (e) => note(`page error: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && note(`console: ${m.text()}`));
}

/**
 * What a page showed and did, and what the hub logged last, for a wait
 * that timed out: under load, "Timeout 30000ms exceeded" alone does not
 * say whether the hub refused, never answered, or the page went elsewhere.
 */
async function whatHappened(page: Page, hubLogs: Array<Record<string, unknown>>): Promise<string> {
  const shown = await page
    .evaluate(() => {
      const d = (globalThis as any).document;
      const fields = [...d.querySelectorAll('input')].map((i: any) => `${i.name}=${i.type === 'password' ? '*'.repeat(i.value.length) : i.value}`);
      return `${d.querySelector('main')?.innerText.slice(0, 400) ?? '(no main)'}\nfields: ${fields.join(', ') || 'none'}`;
    })
    .catch((e: Error) => `(could not read the page: ${e.message})`);
  return [
    `page at ${page.url()} shows:`,
    shown,
    'what the page did:',
    ...(timelines.get(page) ?? []),
    'what the hub logged last:',
    ...hubLogs.slice(-15).map((l) => JSON.stringify(l)),
  ].join('\n');
}

/** Reads a QR code shown as an image on the page, as a phone's camera would. */
export async function scanQr(page: Page, selector: string): Promise<string | null> {
  await page.evaluate(readFileSync(createRequire(import.meta.url).resolve('jsqr/dist/jsQR.js'), 'utf8'));
  return page.evaluate(async (sel) => {
    const w = globalThis as any;
    const img = w.document.querySelector(sel);
    await img.decode();
    const canvas = w.document.createElement('canvas');
    canvas.width = 600;
    canvas.height = 600;
    const g = canvas.getContext('2d');
    g.fillStyle = '#fff';
    g.fillRect(0, 0, 600, 600);
    g.drawImage(img, 0, 0, 600, 600);
    return w.jsQR(g.getImageData(0, 0, 600, 600).data, 600, 600)?.data ?? null;
  }, selector);
}

/** The pay journey: find the payee by the start of their name, enter the amount, review and confirm. */
export async function payByName(page: Page, typed: string, name: string, amount: string) {
  await page.click('nav a[href="#/pay"]');
  await page.fill('input[placeholder="Start typing a name"]', typed);
  await page.click(`ul.choices button:has-text("${name}")`);
  await page.fill('input[inputmode=decimal]', amount);
  await page.click('button:has-text("Review")');
  await page.click('button:has-text("Confirm")');
}

/**
 * Waits until a page has settled: nothing is marked busy and no request has
 * finished for `quietMs` (what Playwright's "networkidle" means, but also
 * after a move between the console's pages, which is no new load).
 */
export async function settled(page: Page, quietMs = 150): Promise<void> {
  await page.waitForFunction((quiet) => {
    const w = globalThis as any;
    if (w.document.querySelector('[aria-busy=true]')) return false;
    const ends: number[] = w.performance.getEntriesByType('resource').map((e: { responseEnd: number }) => e.responseEnd);
    return w.performance.now() - Math.max(0, ...ends) > quiet;
  }, quietMs);
}
