import nodemailer from 'nodemailer';
import type { Logger } from 'pino';
import type { Store } from '../store/store.js';

/**
 * Optional email for reminders. Notifications put a message in an LMDB
 * outbox in the same transaction that creates them; this loop sends them
 * through the configured SMTP relay (on the mesh, or on the internet when
 * the hub has it) and removes each once the relay has taken it. A relay
 * that is down holds nothing up: messages wait, the loop backs off, and the
 * log says so once.
 */
export interface EmailConfig {
  enabled: boolean;
  host: string;
  port: number;
  secure: boolean;
  user: string;
  password: string;
  from: string;
  kinds: string[];
}

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  kind: string;
  at: number;
}

export function emailOutbox(store: Store) {
  return store.db<OutgoingEmail, [number, string]>('email-outbox');
}

export class Mailer {
  private readonly outbox;
  private readonly transport;
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> | null = null;
  private backoffUntil = 0;
  private backoffMs = 0;
  readonly counts = { sent: 0, failed: 0 };

  constructor(
    private readonly store: Store,
    private readonly config: EmailConfig,
    private readonly log: Logger,
  ) {
    this.outbox = emailOutbox(store);
    this.transport = nodemailer.createTransport({
      host: config.host,
      port: config.port,
      secure: config.secure,
      ...(config.user ? { auth: { user: config.user, pass: config.password } } : {}),
      // A relay on the mesh may have a self-made certificate; the link itself is the neighbourhood's.
      tls: { rejectUnauthorized: false },
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
    });
  }

  queued(): number {
    return this.outbox.getCount();
  }

  start(everyMs = 5_000): void {
    this.timer = setInterval(() => void this.flush(), everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.sending;
    this.transport.close();
  }

  /** Sends what waits, oldest first; one flush at a time. */
  flush(): Promise<void> {
    if (this.sending) return this.sending;
    this.sending = this.send().finally(() => (this.sending = null));
    return this.sending;
  }

  private async send(): Promise<void> {
    // Monotonic: a backoff is an interval, which a wall clock stepped by chrony would stretch or cut.
    if (performance.now() < this.backoffUntil) return;
    for (const { key, value } of [...this.outbox.getRange({ limit: 20 })]) {
      try {
        await this.transport.sendMail({ from: this.config.from, to: value.to, subject: value.subject, text: value.text });
        await this.store.write(() => this.outbox.remove(key));
        this.counts.sent++;
        if (this.backoffMs) this.log.info({ module: 'email', relay: this.config.host }, 'mail relay reachable again; sending held reminders');
        this.backoffMs = 0;
      } catch (e) {
        this.counts.failed++;
        if (!this.backoffMs)
          this.log.warn(
            { module: 'email', relay: `${this.config.host}:${this.config.port}`, err: (e as Error).message, held: this.queued() },
            'mail relay unreachable; reminders held until it answers',
          );
        this.backoffMs = Math.min(600_000, Math.max(1_000, this.backoffMs * 2));
        this.backoffUntil = performance.now() + this.backoffMs;
        return;
      }
    }
  }
}
