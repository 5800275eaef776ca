import { Button } from '../actions.js';
import { useEffect, useState } from 'preact/hooks';
import { get, type Schemas, send } from '../api.js';
import { describeError, useApp } from '../app.js';

type Round = Schemas['BudgetRound'];
type Standing = Schemas['BudgetStanding'];

/** Participatory budgeting: spread points across projects; funded in order of support at the close. */
export function BudgetRounds() {
  const { t, account } = useApp();
  const [rounds, setRounds] = useState<Array<{ round: Round; standings: Standing[]; mine: Record<string, number> }>>([]);
  const [draft, setDraft] = useState<Record<string, Record<string, number>>>({});
  const [msg, setMsg] = useState<Record<string, { ok: boolean; text: string }>>({});
  const load = async () => {
    const list = await get('/budgets');
    const full = await Promise.all(list.slice(0, 3).map((r) => get('/budgets/{id}', { params: { id: r.id } })));
    setRounds(full);
    setDraft(Object.fromEntries(full.map((f) => [f.round.id, f.mine])));
  };
  useEffect(() => void load().catch(() => undefined), []);
  if (!account || rounds.length === 0) return null;
  const cur = account.currency;
  const save = async (id: string) => {
    try {
      await send('put', '/budgets/{id}/allocation', { params: { id }, body: { points: draft[id] ?? {} } });
      setMsg({ ...msg, [id]: { ok: true, text: t.t('pointsSaved') } });
      await load();
    } catch (e) {
      setMsg({ ...msg, [id]: { ok: false, text: describeError(t, e) } });
    }
  };
  return (
    <>
      {rounds.map(({ round: r, standings }) => {
        const mine = draft[r.id] ?? {};
        const left = r.pointsPerMember - Object.values(mine).reduce((a, b) => a + b, 0);
        const funded = new Set(r.result?.projects.filter((p) => p.funded).map((p) => p.projectId));
        return (
          <section class="card" aria-labelledby={`b-${r.id}`}>
            <h3 id={`b-${r.id}`}>
              {t.t('budgetTitle')}: <bdi>{r.title}</bdi>
            </h3>
            <p class="muted">{t.t('budgetOf', { amount: t.money(r.budget, cur), date: t.date(r.closesAt) })}</p>
            {r.status === 'open' && (
              <>
                {r.quadratic && <p>{t.t('quadraticNote')}</p>}
                <p data-testid="points-left" role="status">
                  {t.t('pointsLeft', { left, total: r.pointsPerMember })}
                </p>
              </>
            )}
            <ul class="rows">
              {r.projects.map((p) => {
                const s = standings.find((x) => x.projectId === p.id);
                return (
                  <li>
                    <strong>
                      <bdi>{p.title}</bdi>
                    </strong>{' '}
                    — {t.t('asks', { amount: t.money(p.amount, cur) })}
                    {r.status === 'closed' && <strong> · {t.t(funded.has(p.id) ? 'funded' : 'notFunded')}</strong>}
                    <br />
                    <small class="muted">{p.description}</small>
                    <br />
                    <small>{t.t('support', { supporters: s?.supporters ?? 0, score: (s?.score ?? 0).toLocaleString(t.locale) })}</small>
                    {r.status === 'open' && (
                      <label>
                        {t.t('myPoints')}
                        <input
                          type="number"
                          min="0"
                          max={r.pointsPerMember}
                          inputMode="numeric"
                          name={`points-${p.id}`}
                          value={mine[p.id] ?? 0}
                          onInput={(e) =>
                            setDraft({ ...draft, [r.id]: { ...mine, [p.id]: Math.max(0, Math.floor(Number((e.target as HTMLInputElement).value) || 0)) } })
                          }
                        />
                      </label>
                    )}
                  </li>
                );
              })}
            </ul>
            {msg[r.id] && (
              <p role="status" class={msg[r.id]?.ok ? 'ok' : 'error'}>
                {msg[r.id]?.text}
              </p>
            )}
            {r.status === 'open' && (
              <Button why={left < 0 ? t.t('whyOverPoints') : null} onClick={() => save(r.id)}>
                {t.t('savePoints')}
              </Button>
            )}
          </section>
        );
      })}
    </>
  );
}
