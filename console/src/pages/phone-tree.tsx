import { useState } from 'preact/hooks';
import { StatusLine, useActions } from '../actions.js';
import { get, type Answer, type Member, send } from '../api.js';
import { useApp } from '../app.js';

type Row = Answer<'/api/v1/crisis/phone-tree'>[number];

/**
 * The emergency phone tree, for stewards: every member put first in an
 * emergency, how to reach them and who checks on them, grouped by checker.
 * It prints on paper (print styles hide the app around it), because in an
 * emergency the hub, the mesh or the power may be down.
 */
export function PhoneTreePage() {
  const { t } = useApp();
  const [rows, setRows] = useState<Row[] | null>(null);
  const [members, setMembers] = useState<Member[]>([]);
  const { msg, act } = useActions(async () => {
    const [tree, all] = await Promise.all([get('/crisis/phone-tree'), get('/members')]);
    setRows(tree);
    setMembers((all.members ?? []).filter((m) => m.status === 'active'));
  });
  if (!rows) return <p aria-busy="true" />;
  const groups = new Map<string, { checker: Row['checker']; rows: Row[] }>();
  for (const r of rows) {
    const key = r.checker?.id ?? '';
    const g = groups.get(key) ?? { checker: r.checker, rows: [] };
    g.rows.push(r);
    groups.set(key, g);
  }
  const save = (r: Row, patch: { contact?: string | null; checker?: string | null }) =>
    act(() => send('put', '/members/{id}/vulnerable', { params: { id: r.member.id }, body: { vulnerable: true, ...patch } }), t.t('choicesSaved'));
  return (
    <article class="phone-tree">
      <h2>{t.t('phoneTree')}</h2>
      <p class="muted">{t.t('phoneTreeExplain', { date: t.date(Date.now()) })}</p>
      <p class="no-print">
        <button onClick={() => print()}>{t.t('printIt')}</button>
      </p>
      <StatusLine msg={msg} />
      {rows.length === 0 && <p>{t.t('phoneTreeEmpty')}</p>}
      {[...groups.values()].map((g) => (
        <section class="card" data-testid="tree-group">
          <h3>{g.checker ? t.tx('checksOn', { name: g.checker.name, email: g.checker.email ?? '' }) : t.t('nobodyChecks')}</h3>
          <ul class="rows">
            {g.rows.map((r) => (
              <li data-testid="tree-row">
                <strong>{r.member.name}</strong> — <span>{r.contact || r.member.email || ''}</span>
                <span class="no-print tree-edit">
                  <label>
                    {t.t('howToReach')}
                    <input
                      name={`contact-${r.member.id}`}
                      value={r.contact ?? ''}
                      maxLength={200}
                      onChange={(e) => void save(r, { contact: (e.target as HTMLInputElement).value.trim() || null })}
                    />
                  </label>
                  <label>
                    {t.t('whoChecks')}
                    <select
                      name={`checker-${r.member.id}`}
                      value={r.checker?.id ?? ''}
                      onChange={(e) => void save(r, { checker: (e.target as HTMLSelectElement).value || null })}
                    >
                      <option value="">{t.t('nobodyYet')}</option>
                      {members
                        .filter((m) => m.id !== r.member.id)
                        .map((m) => (
                          <option value={m.id}>{m.name}</option>
                        ))}
                    </select>
                  </label>
                </span>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </article>
  );
}
