import { useEffect, useState } from 'preact/hooks';
import { StatusLine, type Said } from '../actions.js';
import { get, type HistoryRow } from '../api.js';
import { counterparty, describeError, useApp } from '../app.js';
import { Rows } from './home.js';

const DAY = 86_400_000;

export function HistoryPage() {
  const { t, session, names, account } = useApp();
  const [kind, setKind] = useState<'' | 'transfer' | 'demurrage'>('');
  const [unit, setUnit] = useState<'credit' | 'hour'>('credit');
  // Whole days in the resident's own calendar: from the start of `from` to the end of `to`.
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [rows, setRows] = useState<HistoryRow[]>([]);
  const [cursor, setCursor] = useState<number | null>(null);
  const [msg, setMsg] = useState<Said | null>(null);
  const me = session.member.id;
  const range = {
    ...(from ? { from: new Date(`${from}T00:00:00`).getTime() } : {}),
    ...(to ? { to: new Date(`${to}T00:00:00`).getTime() + DAY } : {}),
  };
  const load = async (more: boolean) => {
    let page;
    try {
      page = await get('/accounts/{memberId}/history', {
        params: { memberId: me },
        query: { limit: 20, unit, ...(kind ? { kind } : {}), ...range, ...(more && cursor !== null ? { cursor } : {}) },
      });
    } catch (e) {
      // Said, never swallowed: an empty history and a refused one must not look alike.
      return setMsg({ ok: false, text: describeError(t, e) });
    }
    setMsg(null);
    setRows(more ? [...rows, ...page.items] : page.items);
    setCursor(page.nextCursor);
  };
  useEffect(() => void load(false), [kind, unit, from, to]);
  const who = (id: string | null) => counterparty(t, names, id);
  return (
    <section class="card">
      <h2>{t.t('history')}</h2>
      <StatusLine msg={msg} />
      <div role="group" class="filters">
        {(['', 'transfer', 'demurrage'] as const).map((k) => (
          <button class={kind === k ? '' : 'secondary'} aria-pressed={kind === k} onClick={() => setKind(k)}>
            {k === '' ? t.t('filterAll') : k === 'transfer' ? t.t('filterTransfers') : t.t('filterDemurrage')}
          </button>
        ))}
      </div>
      {account?.hours && (
        <div role="group" class="filters">
          {(['credit', 'hour'] as const).map((u) => (
            <button class={unit === u ? '' : 'secondary'} aria-pressed={unit === u} onClick={() => setUnit(u)}>
              {t.t(u === 'credit' ? 'unitCredits' : 'unitHours')}
            </button>
          ))}
        </div>
      )}
      <label>
        {t.t('filterFrom')}
        <input type="date" name="history-from" value={from} onInput={(e) => setFrom((e.target as HTMLInputElement).value)} />
      </label>
      <label>
        {t.t('filterTo')}
        <input type="date" name="history-to" value={to} onInput={(e) => setTo((e.target as HTMLInputElement).value)} />
      </label>
      {rows.length === 0 ? <p>{t.t('nothingYet')}</p> : <Rows rows={rows} who={who} />}
      {cursor !== null && (
        <button class="secondary" onClick={() => load(true)}>
          {t.t('more')}
        </button>
      )}
      <p>
        <a href={`/api/v1/accounts/${me}/history/export?format=csv&unit=${unit}`} download>
          {t.t('exportCsv')}
        </a>
      </p>
    </section>
  );
}
