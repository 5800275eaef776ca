import { get, type Answer, send } from '../api.js';
import { StatusLine, useActions } from '../actions.js';
import { useApp } from '../app.js';
import { useState } from 'preact/hooks';

type Change = Answer<'/api/v1/limit-changes'>[number];

/**
 * Limit changes far beyond the community's defaults wait here for a second
 * steward, or for a decision when a steward puts one to the community. The
 * one who proposed a change, and the member it is for, cannot approve it;
 * the button says so rather than being there for nothing.
 */
export function LimitApprovals() {
  const { t, session, names, account } = useApp();
  const [changes, setChanges] = useState<Change[]>([]);
  const { msg, act } = useActions(async () => setChanges(await get('/limit-changes')));
  const me = session.member.id;
  const cur = account?.currency;
  const amount = (v: number | null | undefined) => (v === undefined ? '—' : v === null ? t.t('limitDefault') : cur ? t.money(v, cur) : String(v));
  return (
    <section class="card" aria-labelledby="limit-approvals-h" data-testid="limit-approvals">
      <h3 id="limit-approvals-h">{t.t('limitApprovalsTitle')}</h3>
      {changes.length === 0 && <p>{t.t('nothingYet')}</p>}
      <ul class="rows">
        {changes.map((c) => {
          const name = names.get(c.account) ?? c.account;
          const why = c.proposedBy === me ? t.t('limitProposedByYou') : c.account === me ? t.t('limitIsYours') : null;
          return (
            <li data-testid="limit-change">
              <strong>
                <bdi>{name}</bdi>
              </strong>
              : {t.t('limitChangeWhat', { floor: amount(c.floor), ceiling: amount(c.ceiling) })}
              <br />
              <small class="muted">{t.tx('limitProposedBy', { who: names.get(c.proposedBy) ?? c.proposedBy, date: t.date(c.proposedAt) })}</small>
              <div>
                <button
                  disabled={why !== null}
                  aria-describedby={why ? `why-${c.id}` : undefined}
                  onClick={() => act(() => send('post', '/limit-changes/{id}/approve', { params: { id: c.id } }), t.t('limitsSaved', { name }))}
                >
                  {t.t('approveLimitChange')}
                </button>
                {why && (
                  <small id={`why-${c.id}`} class="muted">
                    {' '}
                    {why}
                  </small>
                )}{' '}
                {c.proposalId ? (
                  <a href={`#/proposals/${c.proposalId}`} data-testid="limit-proposal">
                    {t.t('limitBeforeCommunity')}
                  </a>
                ) : (
                  <button
                    class="secondary"
                    onClick={() => act(() => send('post', '/limit-changes/{id}/propose', { params: { id: c.id } }), t.t('limitPutToCommunityDone'))}
                  >
                    {t.t('limitPutToCommunity')}
                  </button>
                )}
              </div>
            </li>
          );
        })}
      </ul>
      <StatusLine msg={msg} />
    </section>
  );
}
