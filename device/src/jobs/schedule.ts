import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import { DAY_MS } from '../clock.js';
import type { Core } from '../core.js';

/**
 * Scheduled work. Each job logs what it did; a failing job is logged and
 * tried again at its next time, and never takes the hub down.
 */
export interface StepReport {
  step: string;
  ok: boolean;
  result?: unknown;
  error?: string;
  /** The step did not run: the clock is not trusted yet. */
  waiting?: string;
}

/**
 * The nightly steps, in order. Each runs on its own: one that fails (a
 * budget round that cannot close, say) is logged and counted, the others
 * still run, and it is tried again the next night.
 */
export const NIGHTLY_STEPS: ReadonlyArray<readonly [string, (core: Core) => Promise<unknown>]> = [
  ['close-proposals', async (c) => (await c.governance.closeDue()).map((p) => `${p.id}:${p.status}`)],
  ['close-budgets', async (c) => (await c.governance.budgets.closeDue()).map((r) => `${r.id}:spent ${r.result?.spent ?? 0}`)],
  ['ecology', async (c) => (await c.ecology.recompute()).multiplier],
  ['demurrage', (c) => c.ledger.materialiseDemurrage()],
  ['expire-requests', (c) => c.ledger.expireRequests()],
  ['telemetry-retention', (c) => c.telemetry.prune()],
  ['notification-retention', (c) => c.notifications.prune(NOTIFICATION_RETENTION_DAYS * DAY_MS)],
  ['email-digests', (c) => c.notifications.sendDigests()],
];

/** Read notifications are kept this long; unread ones until they are read. */
const NOTIFICATION_RETENTION_DAYS = 180;

/** Failures per step since the hub started, for /health and the logs. */
export const jobFailures: Record<string, number> = {};

export async function runNightly(core: Core, log: Logger): Promise<StepReport[]> {
  const reports: StepReport[] = [];
  // Every step acts on the date: with a clock that jumped or booted in 1970 they wait for the next night.
  const time = core.time.status();
  if (time.state !== 'trusted') {
    log.warn({ module: 'jobs', job: 'nightly', reason: time.reason }, 'nightly steps wait: the clock is not trusted');
    return NIGHTLY_STEPS.map(([step]) => ({ step, ok: false, waiting: time.reason ?? 'waiting for time' }));
  }
  for (const [step, run] of NIGHTLY_STEPS) {
    try {
      reports.push({ step, ok: true, result: await run(core) });
    } catch (err) {
      jobFailures[step] = (jobFailures[step] ?? 0) + 1;
      log.error(
        { module: 'jobs', job: 'nightly', step, failures: jobFailures[step], err },
        'nightly step failed; the others go on, and it is tried again tomorrow',
      );
      reports.push({ step, ok: false, error: (err as Error)?.message ?? String(err) });
    }
  }
  return reports;
}

/** Jobs the hub process adds beyond the core's own (the nightly backup needs the hub's identity). */
export type ExtraJob = readonly [name: string, cron: string, run: () => Promise<unknown>];

export function scheduleJobs(core: Core, log: Logger, extra: readonly ExtraJob[] = []): ScheduledTask[] {
  const { config, board, library, skills, ecology } = core;
  const tz = config.hub.timezone;
  const job = (name: string, expr: string, run: () => Promise<unknown>) =>
    cron.schedule(
      expr,
      async () => {
        if (!core.time.trusted()) {
          log.info({ module: 'jobs', job: name, reason: core.time.status().reason }, 'job skipped: waiting for time');
          return;
        }
        try {
          const result = await run();
          log.info({ module: 'jobs', job: name, result }, 'job done');
        } catch (err) {
          jobFailures[name] = (jobFailures[name] ?? 0) + 1;
          log.error({ module: 'jobs', job: name, err }, 'job failed');
        }
      },
      { timezone: tz, name, noOverlap: true },
    );
  return [
    job('nightly', config.ledger.nightlyCron, () => runNightly(core, log)),
    // The multiplier follows the sensors through the day; smoothing limits how far it moves per day.
    job('ecology', '5 * * * *', async () => ({ multiplier: (await ecology.recompute()).multiplier })),
    job('proposal-reminders', '15 * * * *', () => core.governance.remindClosing()),
    job('library-reminders', config.library.remindersCron, () => library.loans.sendReminders()),
    job('timebank-reminders', config.library.remindersCron, async () => ({
      ...(await skills.remindExpiring()),
      mentorships: (await skills.matchMentors()).length,
    })),
    job('clearing', config.flow.clearingCron, async () => {
      const run = await board.proposeClearing(null);
      return { run: run.id, status: run.status, cleared: run.cleared };
    }),
    ...extra.map(([name, expr, run]) => job(name, expr, run)),
  ];
}
