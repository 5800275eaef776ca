import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { hyphae, startHubProcess, type HubProcess } from './hub-process.js';
import { callHub, until } from './wait.js';

/**
 * Real hub processes on loopback, each with its own data folder, keys and
 * port, driven only through their HTTP API as stewards on other hubs would.
 */
export interface RigHub {
  name: string;
  dir: string;
  port: number;
  proc: HubProcess;
  token: string;
  member: string;
  hubId: string;
}

export class HubRig {
  readonly hubs: RigHub[] = [];
  private readonly dirs: string[] = [];

  async start(name: string, env: Record<string, string> = {}): Promise<RigHub> {
    const dir = mkdtempSync(join(tmpdir(), `hyphae-${name}-`));
    this.dirs.push(dir);
    // A port of its own for its life: a restarted hub answers where its peers know it.
    const port = await freePort();
    const proc = await startHubProcess({
      dataDir: dir,
      port,
      env: { HYPHAE_ADMIN_EMAIL: `admin@${name}.example`, HYPHAE_ADMIN_PASSWORD: 'federation-test', ...env },
    });
    const token = hyphae(['token', 'create', '--data', dir, '--email', `admin@${name}.example`]).out.trim();
    const h: RigHub = { name, dir, port, proc, token, member: '', hubId: '' };
    h.member = (await this.call(h, 'POST', '/api/v1/members', { name: `${name} member`, email: `m@${name}.example` })).id as string;
    h.hubId = (await this.call(h, 'GET', '/api/v1/health')).hubId as string;
    this.hubs.push(h);
    return h;
  }

  call(h: RigHub, method: string, path: string, body?: unknown): Promise<any> {
    return callHub(`http://127.0.0.1:${h.port}`, h.token, method, path, body);
  }

  /** `a`'s steward invites, `b`'s accepts with `rate` (a's minor units per one of b's); resolves when both sides list the link. */
  async link(a: RigHub, b: RigHub, rate = { num: 1, den: 1 }, trust = 100_000): Promise<void> {
    const { token } = await this.call(a, 'POST', '/api/v1/federation/invitations', { trustOut: trust, trustIn: trust });
    const link = await this.call(b, 'POST', '/api/v1/federation/links', { token, rate, trustOut: trust, trustIn: trust });
    if (link.hubId !== a.hubId) throw new Error(`linking ${b.name} to ${a.name} failed: ${JSON.stringify(link)}`);
    await until(async () => (await this.link_(a, b)) !== undefined, `${a.name} records its link with ${b.name}`, { timeoutMs: 20_000, everyMs: 100 });
  }

  /** `h`'s record of its link with `other`. */
  async link_(h: RigHub, other: RigHub): Promise<any> {
    return (await this.call(h, 'GET', '/api/v1/federation/links')).links.find((l: { hubId: string }) => l.hubId === other.hubId);
  }

  async payment(h: RigHub, id: string): Promise<any> {
    return this.call(h, 'GET', `/api/v1/federation/payments/${id}`);
  }

  async waitPayment(h: RigHub, id: string, status: string): Promise<any> {
    let last: any;
    await until(
      async () => (last = await this.payment(h, id)).status === status,
      () => `payment ${id} on ${h.name} to be ${status}; it is ${JSON.stringify(last)}`,
      { timeoutMs: 30_000, everyMs: 100 },
    );
    return last;
  }

  /** Every hub sends its summary now, twice, so what each reaches travels one hop further. */
  async shareSummaries(): Promise<void> {
    for (let round = 0; round < 2; round++) {
      for (const h of this.hubs) await this.call(h, 'POST', '/api/v1/federation/region/share');
      await until(
        async () => {
          for (const h of this.hubs) for (const l of (await this.call(h, 'GET', '/api/v1/federation/links')).links) if (l.queue > 0) return false;
          return true;
        },
        'summaries delivered',
        { timeoutMs: 20_000, everyMs: 100 },
      );
    }
  }

  async balance(h: RigHub, account = h.member): Promise<number> {
    return (await this.call(h, 'GET', `/api/v1/accounts/${account}`)).balance as number;
  }

  async stopAll(): Promise<void> {
    for (const h of this.hubs) await h.proc.stop().catch(() => undefined);
  }

  /** After stopping: every ledger replays to the same balances and is zero-sum. */
  verifyAll(): Array<Record<string, unknown>> {
    return this.hubs.map((h) => JSON.parse(hyphae(['ledger', 'verify', '--data', h.dir]).out) as Record<string, unknown>);
  }

  cleanup(): void {
    for (const d of this.dirs) rmSync(d, { recursive: true, force: true });
  }
}
