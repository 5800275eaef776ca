import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { describeError, useApp } from '../app.js';

interface Tally {
  yes: number;
  no: number;
  abstain: number;
  blocks: number;
  eligible: number;
  reason: string;
}
interface Proposal {
  id: string;
  kind: string;
  title: string;
  rationale: string;
  mode: string;
  status: string;
  closesAt: number;
  currentTally: Tally | null;
}
interface Decision {
  date: string;
  title: string;
  decision: string;
  why: string;
}

export function ProposalsPage() {
  const { t } = useApp();
  const [open, setOpen] = useState<Proposal[]>([]);
  const [log, setLog] = useState<Decision[]>([]);
  const [msg, setMsg] = useState<Record<string, string>>({});
  const load = async () => {
    setOpen(await api<Proposal[]>('/proposals?status=open'));
    setLog(await api<Decision[]>('/decisions'));
  };
  useEffect(() => void load(), []);
  const vote = async (id: string, choice: 'yes' | 'no' | 'abstain') => {
    try {
      await api(`/proposals/${id}/votes`, { method: 'POST', body: { choice } });
      setMsg({ ...msg, [id]: t.t('voted') });
      await load();
    } catch (e) {
      setMsg({ ...msg, [id]: describeError(t, e) });
    }
  };
  return (
    <>
      <h2>{t.t('proposals')}</h2>
      {open.length === 0 && <p>{t.t('nothingYet')}</p>}
      {open.map((p) => (
        <section class="card" aria-labelledby={`p-${p.id}`}>
          <h3 id={`p-${p.id}`}>{p.title}</h3>
          <p>{p.rationale}</p>
          <p class="muted">{t.t('closes', { date: t.date(p.closesAt) })}</p>
          {p.currentTally && <p data-testid="tally">{t.t('tally', { yes: p.currentTally.yes, no: p.currentTally.no, abstain: p.currentTally.abstain })}</p>}
          {msg[p.id] && <p role="status">{msg[p.id]}</p>}
          <div class="filters">
            <button onClick={() => vote(p.id, 'yes')}>{t.t('voteYes')}</button>
            <button class="secondary" onClick={() => vote(p.id, 'no')}>
              {t.t('voteNo')}
            </button>
            <button class="secondary" onClick={() => vote(p.id, 'abstain')}>
              {t.t('voteAbstain')}
            </button>
          </div>
        </section>
      ))}
      <section class="card">
        <h3>{t.t('decisionLog')}</h3>
        <ul class="rows">
          {log.map((d) => (
            <li>
              <strong>{d.title}</strong> — {d.decision === 'adopted' ? t.t('adopted') : t.t('rejected')} <small class="muted">({d.why})</small>
              <br />
              <small class="muted">{t.date(Date.parse(d.date))}</small>
            </li>
          ))}
        </ul>
        <a href="/api/v1/decisions?format=csv" download>
          {t.t('exportCsv')}
        </a>
      </section>
    </>
  );
}
