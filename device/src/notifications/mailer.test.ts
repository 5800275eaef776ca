import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../log.js';
import { makeCore, type TestCore } from '../test-support.js';
import { emailOutbox, Mailer } from './mailer.js';

/** A real SMTP relay on loopback that keeps what it is given. */
async function relay(port = 0): Promise<{ server: SMTPServer; port: number; mail: string[]; close(): Promise<void> }> {
  const mail: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, done) {
      let raw = '';
      stream.on('data', (d: Buffer) => (raw += d.toString()));
      stream.on('end', () => {
        mail.push(raw);
        done();
      });
    },
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  return { server, port: (server.server.address() as AddressInfo).port, mail, close: () => new Promise<void>((r) => server.close(() => r())) };
}

let core: TestCore | undefined;
let mailer: Mailer | undefined;
afterEach(async () => {
  await mailer?.stop();
  await core?.cleanup();
  mailer = undefined;
  core = undefined;
});

const emailConfig = (port: number) => ({
  enabled: true,
  host: '127.0.0.1',
  port,
  secure: false,
  user: '',
  password: '',
  from: 'hub@riverside.example',
  kinds: ['loan-due', 'hold-ready'],
});

describe('reminder emails', () => {
  it('sends a reminder through the relay, in the same transaction as the console notification', async () => {
    const r = await relay();
    try {
      core = makeCore({ hub: { name: 'Riverside' }, email: emailConfig(r.port) });
      const m = await core.members.create({ name: 'Ana', email: 'ana@riverside.example' }, null);
      await core.store.write(() => {
        core!.notifications.sendInTxn([m.id], 'loan-due', { code: 'T-0042', name: 'Hedge trimmer', date: Date.now() }, { ref: 'library/T-0042' });
        core!.notifications.sendInTxn([m.id], 'timebank-taken', { title: 'Soup' }); // console only: not in the email kinds
      });
      expect(core.notifications.list(m.id)).toHaveLength(2);
      mailer = new Mailer(core.store, core.config.email, silentLogger);
      expect(mailer.queued()).toBe(1);
      await mailer.flush();
      expect(mailer.queued()).toBe(0);
      expect(r.mail).toHaveLength(1);
      expect(r.mail[0]).toMatch(/^To: ana@riverside\.example/m);
      expect(r.mail[0]).toMatch(/^From: hub@riverside\.example/m);
      expect(r.mail[0]).toMatch(/^Subject: Riverside: T-0042 Hedge trimmer is due back tomorrow/m);
      expect(r.mail[0]).toContain('T-0042 Hedge trimmer is due back tomorrow');
    } finally {
      await r.close();
    }
  });

  it('a payment reaches the payee by email when they chose email for it, through a real relay', async () => {
    const r = await relay();
    try {
      core = makeCore({ hub: { name: 'Riverside' }, email: emailConfig(r.port) });
      const ana = await core.members.create({ name: 'Ana', email: 'ana@riverside.example' }, null);
      const bo = await core.members.create({ name: 'Bo', email: 'bo@riverside.example' }, null);
      await core.notifications.setPreferences(bo.id, { paid: 'email' });
      await core.ledger.pay({ payer: ana.id, payee: bo.id, amount: 1500, memo: 'bread', actor: ana.id });
      expect(core.notifications.list(bo.id)[0]).toMatchObject({ kind: 'paid', text: 'You were paid 15.00 HC by Ana: bread' });
      mailer = new Mailer(core.store, core.config.email, silentLogger);
      await mailer.flush();
      expect(r.mail).toHaveLength(1);
      expect(r.mail[0]).toMatch(/^To: bo@riverside\.example/m);
      expect(r.mail[0]).toMatch(/^Subject: Riverside: You were paid 15\.00 HC by Ana: bread/m);
    } finally {
      await r.close();
    }
  });

  it('holds reminders while the relay is down and sends them when it answers again', async () => {
    const first = await relay();
    const port = first.port;
    await first.close();
    core = makeCore({ email: emailConfig(port) });
    const m = await core.members.create({ name: 'Bo', email: 'bo@riverside.example' }, null);
    await core.store.write(() => core!.notifications.sendInTxn([m.id], 'hold-ready', { code: 'T-0007', name: 'Ladder', date: Date.now() }));
    mailer = new Mailer(core.store, core.config.email, silentLogger);
    await mailer.flush();
    expect(mailer.queued()).toBe(1);
    expect(mailer.counts.failed).toBe(1);
    const again = await relay(port);
    try {
      (mailer as unknown as { backoffUntil: number }).backoffUntil = 0; // as if the backoff had passed
      await mailer.flush();
      expect(mailer.queued()).toBe(0);
      expect(again.mail).toHaveLength(1);
      expect(again.mail[0]).toContain('T-0007 Ladder is ready for you');
    } finally {
      await again.close();
    }
  });

  it('queues nothing when email is off, and refuses a config that turns it on without a relay', async () => {
    core = makeCore();
    const m = await core.members.create({ name: 'Cy', email: 'cy@riverside.example' }, null);
    await core.store.write(() => core!.notifications.sendInTxn([m.id], 'loan-due', { code: 'T-0001', name: 'Saw', date: Date.now() }));
    expect(emailOutbox(core.store).getCount()).toBe(0);
    const { configSchema } = await import('../config/schema.js');
    expect(configSchema.safeParse({ email: { enabled: true } }).success).toBe(false);
  });
});
