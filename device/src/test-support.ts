import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, test } from 'vitest';
import { ManualClock } from './clock.js';
import { configSchema, type ConfigInput, type HubConfig } from './config/schema.js';
import { openCore, type Core } from './core.js';
import { coreDeps, createApp } from './http/app.js';
import type { App } from './http/context.js';
import { silentLogger } from './log.js';

/** Shared by tests: a core over a fresh temporary data folder, with a hand-moved clock. */
export interface TestCore extends Core {
  clock: ManualClock;
  dataDir: string;
  cleanup(): Promise<void>;
}

export const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

export function tempDir(prefix = 'hyphae-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function testConfig(overrides: ConfigInput = {}): HubConfig {
  // The system clock (here a hand-moved one) is the source, whatever is installed on the machine running the tests.
  return configSchema.parse({ ...overrides, time: { source: 'system', ...overrides.time } });
}

export function makeCore(overrides: ConfigInput = {}, start = T0): TestCore {
  const dataDir = tempDir();
  const clock = new ManualClock(start);
  const core = openCore(dataDir, testConfig(overrides), silentLogger, clock);
  return Object.assign(core, {
    clock,
    dataDir,
    async cleanup() {
      await core.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  });
}

/**
 * `it` with a core of its own: `it('…', async ({ core }) => …)` gets a fresh core, closed when the test
 * ends. A test that does not ask for `core` opens none.
 */
export const itWithCore = test.extend<{ core: TestCore }>({
  // vitest reads a fixture's dependencies from this pattern; this one has none.
  core: async ({}, use) => {
    const core = makeCore();
    await use(core);
    await core.cleanup();
  },
});

/**
 * What a test opened (a core, a server), closed after each test, last opened first.
 * `const closeLater = closeAfterEach();` at the top of a file, then `closeLater(server.close)` in a setup.
 */
export function closeAfterEach(): (close: () => Promise<void> | void) => void {
  const closers: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });
  return (close) => void closers.push(close);
}

export function makeApp(core: Core): App {
  return createApp(coreDeps(core, silentLogger));
}

/** Named members (email name@example.org), by the names the test uses for them. */
export async function makeMembers(core: Core, names: Record<string, 'resident' | 'steward' | 'admin'>): Promise<Record<string, string>> {
  const id: Record<string, string> = {};
  for (const [n, role] of Object.entries(names)) id[n] = (await core.members.create({ name: n, email: `${n}@example.org`, role }, null)).id;
  return id;
}

/** For HTTP tests: named members with bearer tokens, and a caller that returns status, content type and parsed body. */
export async function withMembers(core: Core, names: Record<string, 'resident' | 'steward' | 'admin'>) {
  const id = await makeMembers(core, names);
  return { id, tok: await tokensFor(core, id) };
}

/** Bearer tokens for members a test already made, under the names the test uses for them. */
export async function tokensFor(core: Core, ids: Record<string, string>): Promise<Record<string, string>> {
  const tok: Record<string, string> = {};
  for (const [n, id] of Object.entries(ids)) tok[n] = (await core.members.createToken(id, 't')).token;
  return tok;
}

export function caller(app: App, tok: Record<string, string>) {
  return async (who: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const raw = body instanceof Uint8Array;
    const res = await app.request(path, {
      method,
      headers: { authorization: `Bearer ${tok[who]}`, ...(body !== undefined && !raw ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let json: any = text;
    try {
      json = JSON.parse(text);
    } catch {
      // CSV or an image
    }
    return { status: res.status, type: res.headers.get('content-type') ?? '', json };
  };
}
