import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateIdentity } from '../identity.js';
import { CLEARING_PREFIX } from '../ledger/types.js';
import { verifyLedger } from '../ledger/verify.js';
import { silentLogger } from '../log.js';
import { makeCore, type TestCore } from '../test-support.js';
import { seal, type Envelope } from './envelope.js';
import { Federation, type Transport } from './federation.js';
import { DAY_MS } from '../clock.js';

/** Two hubs in one process, wired by a transport that can drop, duplicate and reorder. */
interface Side {
  core: TestCore;
  fed: Federation;
  steward: string;
  member: string;
  sent: Envelope[][];
}
let a: Side;
let b: Side;
let linkUp = true;

async function side(name: string, peerOf: () => Side): Promise<Side> {
  const core = makeCore({ ledger: { demurrageRatePercent: 0 } });
  const steward = (await core.members.create({ name: `${name} steward`, email: `s@${name}.example`, role: 'steward' }, null)).id;
  const member = (await core.members.create({ name: `${name} member`, email: `m@${name}.example` }, null)).id;
  const sent: Envelope[][] = [];
  const transport: Transport = async (_url, envs) => {
    if (!linkUp) throw new Error('link down');
    sent.push(envs);
    return peerOf().fed.receive(JSON.parse(JSON.stringify(envs)));
  };
  const fed = new Federation(
    core.store,
    core.ledger,
    { identity: generateIdentity(), url: `http://${name}.example`, name, currency: { symbol: name.toUpperCase(), minorUnits: 2 } },
    core.clock,
    transport,
    silentLogger,
  );
  return { core, fed, steward, member, sent };
}

async function link() {
  const { token } = await a.fed.invite(a.steward, { trustOut: 100_000, trustIn: 100_000 });
  await b.fed.accept(b.steward, token, { rate: { num: 2, den: 1 }, trustOut: 100_000, trustIn: 100_000 });
  await b.fed.flush();
}

beforeEach(async () => {
  linkUp = true;
  a = await side('alpha', () => b);
  b = await side('beta', () => a);
});
afterEach(async () => {
  await a.fed.stop();
  await b.fed.stop();
  await a.core.cleanup();
  await b.core.cleanup();
});

describe('hub-to-hub links', () => {
  it('peers with an invitation token; both sides record each other', async () => {
    await link();
    expect(a.fed.listPeers().map((p) => p.hubId)).toEqual([b.fed.hubId]);
    expect(b.fed.listPeers()[0]).toMatchObject({ hubId: a.fed.hubId, rate: { num: 2, den: 1 }, queue: 0 });
    expect(a.fed.listPeers()[0]!.rate).toEqual({ num: 1, den: 2 });
  });

  it('pays across the link in two phases: zero-sum on both sides, clearing accounts mirrored at the rate', async () => {
    await link();
    const p = await b.fed.payments.pay(b.member, { payer: b.member, to: `${a.member}@${a.fed.hubId}`, amount: 1_000, currency: 'ours' });
    expect(b.fed.payments.payment(p.id).status).toBe('pending');
    await b.fed.flush(); // the proposal travels
    await a.fed.flush(); // the acceptance travels back
    expect(b.fed.payments.payment(p.id).status).toBe('completed');
    expect(b.core.ledger.account(b.member).balance).toBe(-1_000);
    expect(a.core.ledger.account(a.member).balance).toBe(2_000); // 1 BETA = 2 ALPHA
    const bOwes = b.core.ledger.account(CLEARING_PREFIX + a.fed.hubId).balance;
    const aOwed = a.core.ledger.account(CLEARING_PREFIX + b.fed.hubId).balance;
    expect(bOwes).toBe(1_000);
    expect(aOwed).toBe(-2_000);
    expect(-aOwed).toBe(bOwes * 2);
    for (const s of [a, b]) expect(verifyLedger(s.core.ledger)).toMatchObject({ ok: true, totals: { credit: 0 } });
  });

  it("reverses on the payer's side when the other hub refuses", async () => {
    await link();
    const p = await b.fed.payments.pay(b.member, { payer: b.member, to: `m_nobody@${a.fed.hubId}`, amount: 500, currency: 'ours' });
    await b.fed.flush();
    await a.fed.flush();
    expect(b.fed.payments.payment(p.id)).toMatchObject({ status: 'reversed', reason: 'no such member' });
    expect(b.core.ledger.account(b.member).balance).toBe(0);
    expect(b.core.ledger.account(CLEARING_PREFIX + a.fed.hubId).balance).toBe(0);
    expect(verifyLedger(b.core.ledger).ok).toBe(true);
  });

  it('holds messages while a link is down and delivers them in order when it returns', async () => {
    await link();
    linkUp = false;
    const p1 = await b.fed.payments.pay(b.member, { payer: b.member, to: `${a.member}@${a.fed.hubId}`, amount: 100, currency: 'ours' });
    const p2 = await b.fed.payments.pay(b.member, { payer: b.member, to: `${a.member}@${a.fed.hubId}`, amount: 200, currency: 'ours' });
    await b.fed.flush();
    expect(b.fed.listPeers()[0]!.queue).toBe(2);
    linkUp = true;
    (b.fed as unknown as { backoff: Map<string, unknown> }).backoff.clear();
    await b.fed.flush();
    await a.fed.flush();
    expect([b.fed.payments.payment(p1.id).status, b.fed.payments.payment(p2.id).status]).toEqual(['completed', 'completed']);
    expect(a.core.ledger.account(a.member).balance).toBe(600);
  });

  it('treats a repeated message as done and holds one that arrives early until the gap fills', async () => {
    await link();
    linkUp = false;
    await b.fed.payments.pay(b.member, { payer: b.member, to: `${a.member}@${a.fed.hubId}`, amount: 100, currency: 'ours' });
    await b.fed.payments.pay(b.member, { payer: b.member, to: `${a.member}@${a.fed.hubId}`, amount: 200, currency: 'ours' });
    const q = [...b.core.store.db<Envelope, [string, number]>('fed-outbox').getRange({})].map((e) => e.value);
    expect(q.map((e) => e.seq)).toEqual([2, 3]);
    expect(await a.fed.receive([q[1]!])).toEqual({ ackedSeq: 1 }); // early: held
    expect(a.core.ledger.account(a.member).balance).toBe(0);
    expect(await a.fed.receive([q[0]!])).toEqual({ ackedSeq: 3 }); // the gap fills, both apply
    expect(a.core.ledger.account(a.member).balance).toBe(600);
    expect(await a.fed.receive([q[0]!, q[1]!])).toEqual({ ackedSeq: 3 }); // duplicates: nothing twice
    expect(a.core.ledger.account(a.member).balance).toBe(600);
  });

  it('refuses a forged signature, a tampered amount, a broken chain, a stale replay and an unknown hub', async () => {
    await link();
    linkUp = false;
    await b.fed.payments.pay(b.member, { payer: b.member, to: `${a.member}@${a.fed.hubId}`, amount: 100, currency: 'ours' });
    const [real] = [...b.core.store.db<Envelope, [string, number]>('fed-outbox').getRange({})].map((e) => e.value);
    const tampered = { ...real!, body: { ...real!.body, amount: 1_000_000 } };
    await expect(a.fed.receive([tampered])).rejects.toMatchObject({ extensions: { kind: 'bad-signature' } });
    const stranger = generateIdentity();
    const forged = seal(
      { from: b.fed.hubId, to: a.fed.hubId, seq: 2, ts: Date.now(), prev: real!.prev, type: 'payment.propose', body: real!.body },
      stranger.privateKeyPem,
    );
    await expect(a.fed.receive([forged])).rejects.toMatchObject({ extensions: { kind: 'bad-signature' } });
    const unknown = seal(
      { from: stranger.hubId, to: a.fed.hubId, seq: 1, ts: Date.now(), prev: '0'.repeat(64), type: 'payment.propose', body: real!.body },
      stranger.privateKeyPem,
    );
    await expect(a.fed.receive([unknown])).rejects.toMatchObject({ extensions: { kind: 'unknown-sender' } });
    b.core.clock.advance(30 * DAY_MS); // an old message signed properly but far outside the window
    await expect(a.fed.receive([{ ...real! }])).resolves.toBeTruthy(); // it is fresh on a's clock
    a.core.clock.advance(30 * DAY_MS);
    await expect(a.fed.receive([{ ...real!, seq: 3 }])).rejects.toMatchObject({ extensions: { kind: 'bad-signature' } });
    expect(a.core.ledger.account(a.member).balance).toBe(200); // only the genuine payment, once
    expect(a.fed.rejected).toMatchObject({ 'bad-signature': 3, 'unknown-sender': 1 });
  });
});
