import { useState } from 'preact/hooks';
import { Button, StatusLine, useActions } from '../actions.js';
import { get, type Account, type Schemas, send } from '../api.js';
import { useApp } from '../app.js';
import { toMinor } from '../i18n.js';

type Why = Schemas['LimitExplanation'];

/**
 * A steward's view of one member's credit: balance and limits, where the
 * floor comes from, and the forms to set the member's own floor and ceiling
 * (or return them to the community's) and their productive capacity, which
 * the ecological limits multiply. Loaded only when a steward opens it.
 */
export function MemberLimits({ id, name }: { id: string; name: string }) {
  const { t } = useApp();
  const [acct, setAcct] = useState<Account | null>(null);
  const [why, setWhy] = useState<Why | null>(null);
  const [floor, setFloor] = useState('');
  const [ceiling, setCeiling] = useState('');
  const [capacity, setCapacity] = useState('');

  const load = async () => {
    const [a, w] = await Promise.all([
      get('/accounts/{memberId}', { params: { memberId: id } }),
      get('/accounts/{memberId}/limit-explanation', { params: { memberId: id } }),
    ]);
    setAcct(a);
    setWhy(w);
  };
  const { msg, act, say } = useActions(load);
  if (!acct || !why) return <p aria-busy="true" />;
  const cur = acct.currency;
  const money = (n: number) => t.money(n, cur);

  /** A typed amount in minor units, or null (and a message) when it is not one. */
  const amount = (text: string): number | null => {
    const n = toMinor(text, cur.minorUnits);
    if (!Number.isFinite(n) || n < 0) {
      say({ ok: false, text: t.t('badNumber') });
      return null;
    }
    return n;
  };
  const saveLimits = (e: Event) => {
    e.preventDefault();
    // Credit limits: the hub's default unit, said rather than left to it.
    const body: { unit: 'credit'; floor?: number; ceiling?: number } = { unit: 'credit' };
    if (floor.trim()) {
      const f = amount(floor);
      if (f === null) return;
      body.floor = -f;
    }
    if (ceiling.trim()) {
      const c = amount(ceiling);
      if (c === null) return;
      body.ceiling = c;
    }
    // Far beyond the community's defaults, the hub waits for a second steward.
    void act(
      () => send('put', '/accounts/{memberId}/limits', { params: { memberId: id }, body }),
      (r) => t.t(r && 'pending' in r ? 'limitsPending' : 'limitsSaved', { name }),
    );
  };
  const saveCapacity = (e: Event) => {
    e.preventDefault();
    const c = amount(capacity);
    if (c === null) return;
    void act(() => send('put', '/members/{memberId}/capacity', { params: { memberId: id }, body: { capacity: c } }), t.t('capacitySaved', { name }));
  };
  const source = why.source === 'set-by-steward' ? 'limitSourceSteward' : why.source === 'ecology' ? 'limitSourceEcology' : 'limitSourceDefault';

  return (
    <div data-testid="member-limits">
      <p>
        {t.t('memberCredit', { balance: money(acct.balance), floor: money(acct.floor), ceiling: money(acct.ceiling) })}
        <br />
        <small class="muted">{t.t(source)}</small>
      </p>
      <form onSubmit={saveLimits}>
        <div class="filters">
          <label>
            {t.t('floorBelowZero', { symbol: cur.symbol })}
            <input
              name={`floor-${id}`}
              inputMode="decimal"
              value={floor}
              placeholder={String(-acct.floor / 10 ** cur.minorUnits)}
              onInput={(e) => setFloor((e.target as HTMLInputElement).value)}
            />
          </label>
          <label>
            {t.t('ceilingAtMost', { symbol: cur.symbol })}
            <input
              name={`ceiling-${id}`}
              inputMode="decimal"
              value={ceiling}
              placeholder={String(acct.ceiling / 10 ** cur.minorUnits)}
              onInput={(e) => setCeiling((e.target as HTMLInputElement).value)}
            />
          </label>
        </div>
        <Button type="submit" why={!floor.trim() && !ceiling.trim() ? t.t('whyFillIn') : null}>
          {t.t('saveLimits')}
        </Button>{' '}
        {why.source === 'set-by-steward' && (
          <button
            type="button"
            class="secondary"
            onClick={() =>
              act(
                () => send('put', '/accounts/{memberId}/limits', { params: { memberId: id }, body: { unit: 'credit', floor: null, ceiling: null } }),
                t.t('limitsReset', { name }),
              )
            }
          >
            {t.t('backToCommunity')}
          </button>
        )}
      </form>
      <form onSubmit={saveCapacity}>
        <label>
          {t.t('capacityLabel', { symbol: cur.symbol })}
          <input
            name={`capacity-${id}`}
            inputMode="decimal"
            value={capacity}
            placeholder={why.capacity === null ? '' : String(why.capacity / 10 ** cur.minorUnits)}
            onInput={(e) => setCapacity((e.target as HTMLInputElement).value)}
          />
        </label>
        <Button type="submit" class="secondary" why={!capacity.trim() ? t.t('whyFillIn') : null}>
          {t.t('saveCapacity')}
        </Button>
      </form>
      <StatusLine msg={msg} />
    </div>
  );
}
