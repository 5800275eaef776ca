import { useEffect, useState } from 'preact/hooks';
import { api, type HistoryRow } from '../api.js';
import { counterparty, useApp } from '../app.js';
import { Rows } from './home.js';

export function HistoryPage() {
  const { t, session, names } = useApp();
  const [kind, setKind] = useState<'' | 'transfer' | 'demurrage'>('');
  const [rows, setRows] = useState<HistoryRow[]>([]);
  const [cursor, setCursor] = useState<number | null>(null);
  const me = session.member.id;
  const load = async (more: boolean) => {
    const q = new URLSearchParams({ limit: '20', ...(kind ? { kind } : {}), ...(more && cursor !== null ? { cursor: String(cursor) } : {}) });
    const page = await api<{ items: HistoryRow[]; nextCursor: number | null }>(`/accounts/${me}/history?${q}`).catch(() => ({ items: [], nextCursor: null }));
    setRows(more ? [...rows, ...page.items] : page.items);
    setCursor(page.nextCursor);
  };
  useEffect(() => void load(false), [kind]);
  const who = (id: string | null) => counterparty(t, names, id);
  return (
    <section class="card">
      <h2>{t.t('history')}</h2>
      <div role="group" class="filters">
        {(['', 'transfer', 'demurrage'] as const).map((k) => (
          <button class={kind === k ? '' : 'secondary'} aria-pressed={kind === k} onClick={() => setKind(k)}>
            {k === '' ? t.t('filterAll') : k === 'transfer' ? t.t('filterTransfers') : t.t('filterDemurrage')}
          </button>
        ))}
      </div>
      {rows.length === 0 ? <p>{t.t('nothingYet')}</p> : <Rows rows={rows} who={who} />}
      {cursor !== null && (
        <button class="secondary" onClick={() => load(true)}>
          {t.t('more')}
        </button>
      )}
      <p>
        <a href={`/api/v1/accounts/${me}/history/export?format=csv`} download>
          {t.t('exportCsv')}
        </a>
      </p>
    </section>
  );
}
