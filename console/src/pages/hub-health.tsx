import { useEffect, useState } from 'preact/hooks';
import { get, type Answer } from '../api.js';
import { describeError, useApp } from '../app.js';

type Health = Answer<'/api/v1/health'>;

/**
 * The hub itself, for stewards: how full its SD card is (and what it has
 * stopped accepting because of it), how much memory it uses, and whether its
 * clock can be acted on. A Pi in a shed has no screen; this is where a
 * steward sees that it needs a hand.
 */
export function HubHealth() {
  const { t } = useApp();
  const [h, setH] = useState<Health | null>(null);
  const [err, setErr] = useState<string | null>(null);
  useEffect(() => void get('/health').then(setH, (e: unknown) => setErr(describeError(t, e))), []);
  const mib = (bytes: number) => `${t.num(bytes / 1_048_576, bytes < 10 * 1_048_576 ? 1 : 0)} MiB`;
  return (
    <section class="card" aria-labelledby="hub-health-h" data-testid="hub-health">
      <h3 id="hub-health-h">{t.t('hubHealth')}</h3>
      {err && <p role="alert">{err}</p>}
      {h && (
        <ul class="rows">
          {h.disk && (
            <li class={h.disk.state === 'ok' ? undefined : 'warn'} data-testid="disk-state" data-state={h.disk.state}>
              <strong>{t.t(`diskState_${h.disk.state}`)}</strong>
              <br />
              <small class="muted">
                {t.t('diskFree', { free: mib(h.disk.freeBytes), total: mib(h.disk.totalBytes) })} ·{' '}
                {t.t('databaseSize', { size: mib(h.disk.databaseBytes), cap: mib(h.disk.maxDatabaseBytes) })}
              </small>
            </li>
          )}
          {h.clock && (
            <li class={h.clock.state === 'trusted' ? undefined : 'warn'} data-testid="clock-state" data-state={h.clock.state}>
              <strong>{h.clock.state === 'trusted' ? t.t('clockTrusted') : t.t('clockWaiting')}</strong>
              {h.clock.lastJump && (
                <>
                  <br />
                  <small class="muted">{t.t('clockJumped', { ago: t.ago(h.clock.lastJump.agoMs), hours: t.num(h.clock.lastJump.byMs / 3_600_000, 1) })}</small>
                </>
              )}
            </li>
          )}
          <li data-testid="memory">{t.t('memoryUse', { rss: mib(h.memory.rssBytes), heap: mib(h.memory.heapUsedBytes) })}</li>
        </ul>
      )}
    </section>
  );
}
