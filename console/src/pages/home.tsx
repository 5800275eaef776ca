import { Button, StatusLine, type Said } from '../actions.js';
import { useEffect, useState } from 'preact/hooks';
import { get, type HistoryRow, type PaymentRequest, type Answer, type Schemas, send } from '../api.js';
import { counterparty, describeError, useApp } from '../app.js';
import { noteText, type Note } from '../notes.js';
import { multiplierText } from '../ticks.js';

type Loan = Schemas['Loan'];

/**
 * Home waits on what asks something of the member. Loans, requests and votes
 * are listed from themselves, so their reminders are not shown twice; news
 * that asks nothing (a payment in, a decision) is in the inbox behind the bell.
 */
const SHOWN_ELSEWHERE = new Set([
  'loan-due',
  'loan-overdue',
  'payment-requested',
  'proposal-opened',
  'proposal-closing',
  'paid',
  'request-accepted',
  'request-rejected',
  'request-expired',
  'loan-returned',
  'proposal-decided',
  'budget-round-closed',
  'emergency-ended',
  'flow-allocation',
  'hub-link-changed',
]);
const SOON_MS = 2 * 86_400_000;

export function HomePage() {
  const { t, session, account, accountError, names, refresh } = useApp();
  const [recent, setRecent] = useState<HistoryRow[]>([]);
  const [incoming, setIncoming] = useState<PaymentRequest[]>([]);
  const [notes, setNotes] = useState<Note[]>([]);
  const [loans, setLoans] = useState<Array<Loan & { item: string }>>([]);
  const [votes, setVotes] = useState(0);
  const [msg, setMsg] = useState<Said | null>(null);
  // A request is paid from Home only after the same review as on the Pay page.
  const [reviewing, setReviewing] = useState<PaymentRequest | null>(null);
  const load = async () => {
    const me = session.member.id;
    try {
      const [h, r] = await Promise.all([
        get('/accounts/{memberId}/history', { params: { memberId: me }, query: { limit: 5, kind: 'transfer' } }),
        get('/requests', { query: { direction: 'incoming', status: 'open' } }),
      ]);
      setRecent([...h.items]);
      setIncoming([...r]);
    } catch (e) {
      // Said where the eyes are; the rest of Home (balance, reminders) still shows.
      setMsg({ ok: false, text: describeError(t, e) });
    }
    // What else waits for this member: reminders, loans due soon, votes not yet cast. Each may fail alone.
    void get('/notifications', { query: { unread: 'true' } }).then(
      (n) => setNotes(n.filter((x) => !SHOWN_ELSEWHERE.has(x.kind))),
      () => undefined,
    );
    void get('/proposals', { query: { status: 'open' } }).then(
      (ps) => setVotes(ps.filter((p) => !p.myVote).length),
      () => undefined,
    );
    void get('/library/loans', { query: { open: 'true' } })
      .then((ls) =>
        Promise.all(
          ls
            .filter((l) => l.dueAt - Date.now() < SOON_MS)
            .map(async (l) => ({
              ...l,
              item: await get('/library/items/{item}', { params: { item: l.itemId } }).then(
                (d) => `${d.item.code} ${d.item.name}`,
                () => l.itemId,
              ),
            })),
        ),
      )
      .then(setLoans, () => undefined);
  };
  useEffect(() => void load(), [session.member.id]);
  if (!account) {
    // A refused read says why and can be tried again, instead of a spinner that never ends.
    if (!accountError) return <p aria-busy="true" />;
    return (
      <section class="card" data-testid="account-unreadable">
        <p role="alert" class="error">
          {describeError(t, accountError)}
        </p>
        <button type="button" onClick={refresh}>
          {t.t('tryAgain')}
        </button>
      </section>
    );
  }
  const cur = account.currency;
  const answer = async (r: PaymentRequest, how: 'accept' | 'reject') => {
    try {
      await send('post', `/requests/{id}/${how}`, { params: { id: r.id } });
      setReviewing(null);
      refresh();
      await load();
      setMsg({ ok: true, text: how === 'accept' ? t.t('paid', { amount: t.amount(r.amount, r.unit, cur), name: who(r.payee) }) : t.t('requestTurnedDown') });
    } catch (e) {
      setReviewing(null);
      setMsg({ ok: false, text: describeError(t, e, cur) });
    }
  };
  const dismiss = async (id: string) => {
    try {
      await send('post', '/notifications/read', { body: { ids: [id] } });
      setNotes(notes.filter((n) => n.id !== id));
    } catch (e) {
      setMsg({ ok: false, text: describeError(t, e, cur) });
    }
  };
  const who = (id: string | null) => counterparty(t, names, id);
  const now = Date.now();
  const waiting = incoming.length + notes.length + loans.length + votes > 0;
  return (
    <>
      <h2>{t.tx('welcome', { name: session.member.name })}</h2>
      <section class="card balance" aria-labelledby="bal">
        <h3 id="bal">{t.t('balance')}</h3>
        <p class="big" data-testid="balance">
          {t.money(account.balance, cur)}
        </p>
        <p>
          {t.t('limit', { floor: t.money(account.floor, cur) })} ·{' '}
          {t.plural('available', account.available / 10 ** cur.minorUnits, { amount: t.money(account.available, cur) })}
        </p>
        <WhyLimit />
        {account.balance < account.warnAt && <p class="warn">{t.t('nearLimit')}</p>}
        {account.demurrageNext30Days > 0 && <p class="muted">{t.t('demurrage', { amount: t.money(account.demurrageNext30Days, cur) })}</p>}
        {account.hours && (
          <p>
            {t.t('hours')}: <strong>{t.t('hoursValue', { n: t.hours(account.hours.balance) })}</strong>
          </p>
        )}
      </section>
      {waiting && (
        <section class="card" aria-labelledby="wait" data-testid="waiting">
          <h3 id="wait">{t.t('waiting')}</h3>
          <StatusLine msg={msg} />
          <ul class="rows">
            {incoming.map((r) =>
              reviewing?.id === r.id ? (
                <li data-testid="review-request">
                  <RequestReview r={r} name={who(r.payee)} onConfirm={() => answer(r, 'accept')} onBack={() => setReviewing(null)} />
                </li>
              ) : (
                <li>
                  {t.tx('requestFrom', { name: who(r.payee), amount: t.amount(r.amount, r.unit, cur) })}
                  {r.memo ? (
                    <>
                      {' '}
                      — <bdi>{r.memo}</bdi>
                    </>
                  ) : (
                    ''
                  )}{' '}
                  <button onClick={() => (setReviewing(r), setMsg(null))}>{t.t('accept')}</button>{' '}
                  <button class="secondary" onClick={() => answer(r, 'reject')}>
                    {t.t('reject')}
                  </button>
                </li>
              ),
            )}
            {loans.map((l) => (
              <li class={l.dueAt < now ? 'warn' : ''}>
                <a href="#/library">{t.t(l.dueAt < now ? 'loanOverdue' : 'loanDueSoon', { item: l.item, date: t.date(l.dueAt) })}</a>
              </li>
            ))}
            {votes > 0 && (
              <li>
                <a href="#/proposals">{t.t('votesOpen', { n: votes })}</a>
              </li>
            )}
            {notes.map((n) => (
              <li data-testid="note">
                {noteText(n, { t, cur: account?.currency, who })}{' '}
                <button class="secondary" onClick={() => dismiss(n.id)}>
                  {t.t('dismiss')}
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
      <section class="card" aria-labelledby="recent">
        <h3 id="recent">{t.t('recent')}</h3>
        {recent.length === 0 ? <p>{t.t('nothingYet')}</p> : <Rows rows={recent} who={who} />}
      </section>
    </>
  );
}

export function Rows({ rows, who }: { rows: HistoryRow[]; who: (id: string | null) => string }) {
  const { t, account } = useApp();
  if (!account) return null;
  const cur = account.currency;
  return (
    <ul class="rows">
      {rows.map((r) => (
        <li>
          <span class={r.delta < 0 ? 'out' : 'in'}>{t.amount(r.delta, r.unit, cur)}</span>{' '}
          {r.delta < 0 ? t.t('toName', { name: who(r.counterparty) }) : t.t('from', { name: who(r.counterparty) })}
          {r.memo ? (
            <>
              {' '}
              · <bdi>{r.memo}</bdi>
            </>
          ) : (
            ''
          )}
          <br />
          <small class="muted">{t.date(r.at)}</small>
        </li>
      ))}
    </ul>
  );
}

type LimitExplanation = Answer<'/api/v1/accounts/{memberId}/limit-explanation'>;
const INDICATOR_NAMES = { solar: 'indSolar', water: 'indWater', soil: 'indSoil', work: 'indWork' } as const;

/** "Why is my limit this?", asked only when opened, and said in the resident's language from the hub's numbers. */
function WhyLimit() {
  const { t, session, account } = useApp();
  const [why, setWhy] = useState<LimitExplanation | null>(null);
  if (!account) return null;
  const cur = account.currency;
  // The multiplier (and the raw one and its bounds) as every page shows it, two places; the shares
  // it is made from and its daily step keep the places the hub gives them.
  const x = (v: number) => multiplierText(v, t.locale);
  const m = (v: number) => v.toLocaleString(t.locale, { maximumFractionDigits: 4 });
  return (
    <details
      onToggle={(e) =>
        (e.target as HTMLDetailsElement).open &&
        !why &&
        void get('/accounts/{memberId}/limit-explanation', { params: { memberId: session.member.id } }).then(setWhy, () => undefined)
      }
    >
      <summary>{t.t('whyLimit')}</summary>
      {why && (
        <div data-testid="why-limit">
          <p>
            {why.source === 'set-by-steward'
              ? t.t('whyLimitSteward', { floor: t.money(why.floor, cur) })
              : why.source === 'default'
                ? t.t('whyLimitDefault', { floor: t.money(why.floor, cur) })
                : why.source === 'no-capacity' || why.capacity === null
                  ? t.t('whyLimitNoCapacity', { floor: t.money(why.floor, cur) })
                  : t.t('whyLimitEcology', { capacity: t.money(why.capacity, cur), multiplier: x(why.multiplier), floor: t.money(why.floor, cur) })}
          </p>
          {why.source === 'ecology' && why.derivation && (
            <p data-testid="why-multiplier">
              {t.t('whyMultiplier', {
                multiplier: x(why.multiplier),
                regeneration: m(why.derivation.regeneration),
                extraction: m(why.derivation.extraction),
                raw: x(why.derivation.raw),
                min: x(why.derivation.multiplierMin),
                max: x(why.derivation.multiplierMax),
                step: m(why.derivation.maxStepPerDay),
              })}
            </p>
          )}
          {why.source === 'ecology' && why.stale.length > 0 && (
            <p class="warn" data-testid="why-stale">
              {t.tx('whyStale', { names: new Intl.ListFormat(t.locale).format(why.stale.map((s) => t.t(INDICATOR_NAMES[s.indicator]))) })}
            </p>
          )}
        </div>
      )}
    </details>
  );
}

/**
 * The review before paying a request: what, to whom, the balance after, and,
 * when it is more than the account can go down to, how much it can pay at
 * most, with nothing to confirm.
 */
function RequestReview({ r, name, onConfirm, onBack }: { r: PaymentRequest; name: string; onConfirm: () => void; onBack: () => void }) {
  const { t, account } = useApp();
  const [busy, setBusy] = useState(false);
  if (!account) return null;
  const cur = account.currency;
  const credit = r.unit === 'credit';
  const over = credit && r.amount > account.available;
  return (
    <div>
      <h4>{t.t('confirmPay', { amount: t.amount(r.amount, r.unit, cur), name })}</h4>
      {r.memo && (
        <p>
          <bdi>{r.memo}</bdi>
        </p>
      )}
      {over ? (
        <p class="error" role="alert">
          {t.t('payAtMost', { amount: t.money(Math.max(0, account.available), cur) })}
        </p>
      ) : (
        credit && <p>{t.t('balanceAfter', { amount: t.money(account.balance - r.amount, cur) })}</p>
      )}
      <Button why={over ? t.t('whyOverAvailable') : busy ? t.t('whyBusy') : null} onClick={() => (setBusy(true), onConfirm())}>
        {t.t('confirm')}
      </Button>{' '}
      <button class="secondary" onClick={onBack}>
        {t.t('back')}
      </button>
    </div>
  );
}
