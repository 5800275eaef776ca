/**
 * A delivery loop: one round every `everyMs`, and at once when kicked. A kick
 * during a round joins it, so rounds never overlap; the timer does not keep
 * the process alive, and stop waits for the round under way.
 */
export class Rounds {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;

  constructor(private readonly round: () => Promise<void>) {}

  start(everyMs: number): void {
    this.timer = setInterval(() => void this.kick(), everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  kick(): Promise<void> {
    if (this.running) return this.running;
    this.running = this.round().finally(() => (this.running = null));
    return this.running;
  }
}

/**
 * A module that delivers an outbox in rounds (push to phones, webhooks): started with the hub, kicked when
 * something is queued, stopped on the way down.
 */
export abstract class DeliveryRounds {
  private readonly rounds = new Rounds(() => this.deliverDue());

  start(everyMs = 1_000): void {
    this.rounds.start(everyMs);
  }

  stop(): Promise<void> {
    return this.rounds.stop();
  }

  /** Sends what is due; one round at a time. Resolves when the round is done. */
  kick(): Promise<void> {
    return this.rounds.kick();
  }

  /** How many deliveries wait. */
  abstract pending(): number;

  protected abstract deliverDue(): Promise<void>;
}
