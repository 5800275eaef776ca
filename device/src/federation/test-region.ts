import { expect } from 'vitest';
import { generateIdentity } from '../identity.js';
import { verifyLedger } from '../ledger/verify.js';
import { silentLogger } from '../log.js';
import { makeCore, type TestCore } from '../test-support.js';
import { Federation, type Rate, type Transport } from './federation.js';

/**
 * For federation tests: several hubs in one process, each with its own
 * store, keys and clock, wired by a transport that delivers to the hub at
 * the URL unless the test has cut that hub off.
 */
export interface TestHub {
  name: string;
  core: TestCore;
  fed: Federation;
  steward: string;
  member: string;
  /** When false, nothing reaches this hub and nothing leaves it. */
  up: boolean;
}

export class TestRegion {
  readonly hubs = new Map<string, TestHub>();

  async hub(name: string, opts: { place?: { x: number; y: number }; paymentTimeoutMs?: number } = {}): Promise<TestHub> {
    const core = makeCore({ ledger: { demurrageRatePercent: 0 } });
    const steward = (await core.members.create({ name: `${name} steward`, email: `s@${name}.example`, role: 'steward' }, null)).id;
    const member = (await core.members.create({ name: `${name} member`, email: `m@${name}.example` }, null)).id;
    const url = `http://${name}.example`;
    const transport: Transport = async (to, envs) => {
      const target = this.hubs.get(to);
      if (!target?.up || !this.hubs.get(url)?.up) throw new Error('link down');
      return target.fed.receive(JSON.parse(JSON.stringify(envs)));
    };
    const fed = new Federation(
      core.store,
      core.ledger,
      { identity: generateIdentity(), url, name, currency: { symbol: name.toUpperCase(), minorUnits: 2 }, place: opts.place ? { name, ...opts.place } : null },
      core.clock,
      transport,
      silentLogger,
      { board: core.board, paymentTimeoutMs: opts.paymentTimeoutMs, probe: async (u) => this.hubs.get(u)?.fed.hubId ?? null },
    );
    const h: TestHub = { name, core, fed, steward, member, up: true };
    this.hubs.set(url, h);
    return h;
  }

  /** `a` invites, `b` accepts with `rate` (a's minor units per one of b's). */
  async link(a: TestHub, b: TestHub, rate: Rate = { num: 1, den: 1 }, terms: { trust?: number; feePpm?: number } = {}): Promise<void> {
    const trust = terms.trust ?? 1_000_000;
    const { token } = await a.fed.invite(a.steward, { trustOut: trust, trustIn: trust });
    await b.fed.accept(b.steward, token, { rate, trustOut: trust, trustIn: trust, feePpm: terms.feePpm });
    await this.settle();
  }

  /** Flushes every hub until nothing is left to deliver between hubs that are up. */
  async settle(rounds = 30): Promise<void> {
    for (let i = 0; i < rounds; i++) {
      let queued = 0;
      for (const h of this.hubs.values()) {
        h.fed.retryNow();
        await h.fed.flush();
      }
      for (const h of this.hubs.values())
        if (h.up)
          queued += h.fed
            .listPeers()
            .filter((p) => this.byId(p.hubId)?.up)
            .reduce((a, p) => a + p.queue, 0);
      if (queued === 0) return;
    }
    throw new Error('messages still queued after settling');
  }

  byId(hubId: string): TestHub | undefined {
    return [...this.hubs.values()].find((h) => h.fed.hubId === hubId);
  }

  /** Every hub zero-sum and verified; every link's two sides mirror each other exactly. */
  expectConsistent(): void {
    for (const h of this.hubs.values()) {
      expect(verifyLedger(h.core.ledger), `${h.name}'s ledger`).toMatchObject({ ok: true, totals: { credit: 0 } });
      for (const p of h.fed.listPeers()) {
        const other = this.byId(p.hubId);
        const back = other?.fed.listPeers().find((q) => q.hubId === h.fed.hubId);
        if (!other || !back) throw new Error(`${h.name} is linked to ${p.hubId}, which has no link back`);
        expect(
          p.owedTheirs + back.clearingBalance,
          `${h.name}'s view of what it owes ${other.name}, in ${other.name}'s units, against ${other.name}'s own`,
        ).toBe(0);
      }
    }
  }

  async cleanup(): Promise<void> {
    for (const h of this.hubs.values()) await h.fed.stop();
    for (const h of this.hubs.values()) await h.core.cleanup();
  }
}
