import { useEffect, useState } from 'preact/hooks';
import { get, type Answer } from '../api.js';
import { describeError, useApp } from '../app.js';
import { paramLabel } from '../governance-words.js';

type AuditPage = Answer<'/api/v1/audit'>;

/**
 * What stewards and admins did with their powers, newest first: who, when,
 * what, to whom and why. The hub keeps it hash-chained; a broken chain is
 * said here in red, and the whole log downloads as CSV.
 */
export function AuditLogCard() {
  const { t, names } = useApp();
  const [page, setPage] = useState<AuditPage | null>(null);
  const [err, setErr] = useState<string | null>(null);
  useEffect(() => void get('/audit', { query: { limit: 20 } }).then(setPage, (e: unknown) => setErr(describeError(t, e))), []);
  const who = (id: string | null) => (id === null ? t.t('auditByHub') : (names.get(id) ?? id));
  return (
    <section class="card" aria-labelledby="audit-h" data-testid="audit-log">
      <h3 id="audit-h">{t.t('auditTitle')}</h3>
      {err && <p role="alert">{err}</p>}
      {page && !page.chain.ok && (
        <p class="warn" role="alert">
          {t.t('auditChainBroken')}
        </p>
      )}
      {page && page.entries.length === 0 && <p>{t.t('nothingYet')}</p>}
      {page && (
        <ul class="rows">
          {page.entries.map((e) => (
            <li data-testid="audit-entry" data-action={e.action}>
              <strong>{t.t(`audit_${e.action.replace(/-/g, '_')}` as 'audit_limits')}</strong>:{' '}
              <bdi>{e.action === 'emergency-change' ? paramLabel(t, e.subject) : (names.get(e.subject) ?? e.subject)}</bdi>
              {e.reason && (
                <>
                  {' '}
                  · <bdi>{e.reason}</bdi>
                </>
              )}
              <br />
              <small class="muted">
                <bdi>{who(e.actor)}</bdi> · {t.date(e.at)}
              </small>
            </li>
          ))}
        </ul>
      )}
      <p>
        <a href="/api/v1/audit/export" download="hyphae-audit.csv">
          {t.t('auditDownload')}
        </a>
      </p>
    </section>
  );
}
