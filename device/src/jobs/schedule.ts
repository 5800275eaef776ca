import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { Core } from '../core.js';

/**
 * Scheduled work. Each job logs what it did; a failing job is logged and
 * tried again at its next time, and never takes the hub down.
 */
export function scheduleJobs(core: Core, log: Logger): ScheduledTask[] {
  const { config, ledger, board, library, skills, governance, ecology } = core;
  const tz = config.hub.timezone;
  const job = (name: string, expr: string, run: () => Promise<unknown>) =>
    cron.schedule(
      expr,
      async () => {
        try {
          const result = await run();
          log.info({ module: 'jobs', job: name, result }, 'job done');
        } catch (err) {
          log.error({ module: 'jobs', job: name, err }, 'job failed');
        }
      },
      { timezone: tz, name, noOverlap: true },
    );
  return [
    job('nightly-ledger', config.ledger.nightlyCron, async () => ({
      decisions: (await governance.closeDue()).map((p) => `${p.id}:${p.status}`),
      budgets: (await governance.budgets.closeDue()).map((r) => `${r.id}:spent ${r.result?.spent ?? 0}`),
      multiplier: (await ecology.recompute()).multiplier,
      demurrage: await ledger.materialiseDemurrage(),
      expiredRequests: await ledger.expireRequests(),
    })),
    // The multiplier follows the sensors through the day; smoothing limits how far it moves per day.
    job('ecology', '5 * * * *', async () => ({ multiplier: (await ecology.recompute()).multiplier })),
    job('library-reminders', config.library.remindersCron, () => library.sendReminders()),
    job('timebank-reminders', config.library.remindersCron, async () => ({ ...(await skills.remindExpiring()), mentorships: (await skills.matchMentors()).length })),
    job('clearing', config.flow.clearingCron, async () => {
      const run = await board.proposeClearing(null);
      return { run: run.id, status: run.status, cleared: run.cleared };
    }),
  ];
}
