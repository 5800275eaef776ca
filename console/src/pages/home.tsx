import { useEffect, useState } from 'preact/hooks';
import { api, type HistoryRow, type PaymentRequest, type Answer } from '../api.js';
import { counterparty, describeError, useApp } from '../app.js';

export function HomePage() {
  const { t, session, account, names, refresh } = useApp();
  const [recent, setRecent] = useState<HistoryRow[]>([]);
  const [incoming, setIncoming] = useState<PaymentRequest[]>([]);
  const [msg, setMsg] = useState<string | null>(null);
  const load = async () => {
    const me = session.member.id;
    const [h, r] = await Promise.all([api<{ items: HistoryRow[] }>(`/accounts/${me}/history?limit=5&kind=transfer`), api<PaymentRequest[]>('/requests?direction=incoming&status=open')]).catch(() => [{ items: [] }, []] as const);
    setRecent([...h.items]);
    setIncoming([...r]);
  };
  useEffect(() => void load(), [session.member.id]);
  if (!account) return <p aria-busy="true" />;
  const cur = account.currency;
  const answer = async (id: string, how: 'accept' | 'reject') => {
    try {
      await api(`/requests/${id}/${how}`, { method: 'POST' });
      refresh();
      await load();
    } catch (e) {
      setMsg(describeError(t, e, cur));
    }
  };
  const who = (id: string | null) => counterparty(t, names, id);
  return (
    <>
      <h2>{t.t('welcome', { name: session.member.name })}</h2>
      <section class="card balance" aria-labelledby="bal">
        <h3 id="bal">{t.t('balance')}</h3>
        <p class="big" data-testid="balance">
          {t.money(account.balance, cur)}
        </p>
        <p>{t.t('limit', { floor: t.money(account.floor, cur) })} · {t.t('available', { amount: t.money(account.available, cur) })}</p>
        <WhyLimit />
        {account.balance < account.warnAt && <p class="warn">{t.t('nearLimit')}</p>}
        {account.demurrageNext30Days > 0 && <p class="muted">{t.t('demurrage', { amount: t.money(account.demurrageNext30Days, cur) })}</p>}
        {account.hours && (
          <p>
            {t.t('hours')}: <strong>{t.t('hoursValue', { n: t.hours(account.hours.balance) })}</strong>
          </p>
        )}
      </section>
      {incoming.length > 0 && (
        <section class="card" aria-labelledby="wait">
          <h3 id="wait">{t.t('waiting')}</h3>
          {msg && <p role="alert" class="error">{msg}</p>}
          <ul>
            {incoming.map((r) => (
              <li>
                {t.t('requestFrom', { name: who(r.payee), amount: r.unit === 'hour' ? t.t('hoursValue', { n: t.hours(r.amount) }) : t.money(r.amount, cur) })}
                {r.memo ? ` — ${r.memo}` : ''}{' '}
                <button onClick={() => answer(r.id, 'accept')}>{t.t('accept')}</button>{' '}
                <button class="secondary" onClick={() => answer(r.id, 'reject')}>
                  {t.t('reject')}
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
  const cur = account!.currency;
  return (
    <ul class="rows">
      {rows.map((r) => (
        <li>
          <span class={r.delta < 0 ? 'out' : 'in'}>{t.money(r.delta, cur)}</span> {r.delta < 0 ? t.t('toName', { name: who(r.counterparty) }) : t.t('from', { name: who(r.counterparty) })}
          {r.memo ? ` · ${r.memo}` : ''}
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
  // Four places, as the hub keeps them, so that capacity × multiplier comes out at the floor shown.
  const m = (x: number) => x.toLocaleString(t.locale, { maximumFractionDigits: 4 });
  return (
    <details onToggle={(e) => (e.target as HTMLDetailsElement).open && !why && void api<LimitExplanation>(`/accounts/${session.member.id}/limit-explanation`).then(setWhy, () => undefined)}>
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
                  : t.t('whyLimitEcology', { capacity: t.money(why.capacity, cur), multiplier: m(why.multiplier), floor: t.money(why.floor, cur) })}
          </p>
          {why.source === 'ecology' && why.derivation && (
            <p data-testid="why-multiplier">
              {t.t('whyMultiplier', { multiplier: m(why.multiplier), regeneration: m(why.derivation.regeneration), extraction: m(why.derivation.extraction), raw: m(why.derivation.raw), min: m(why.derivation.multiplierMin), max: m(why.derivation.multiplierMax), step: m(why.derivation.maxStepPerDay) })}
            </p>
          )}
          {why.source === 'ecology' && why.stale.length > 0 && (
            <p class="warn" data-testid="why-stale">
              {t.t('whyStale', { names: new Intl.ListFormat(t.locale).format(why.stale.map((s) => t.t(INDICATOR_NAMES[s.indicator]))) })}
            </p>
          )}
        </div>
      )}
    </details>
  );
}
