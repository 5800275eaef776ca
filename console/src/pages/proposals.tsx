import { useEffect, useState } from 'preact/hooks';
import { api, type Schemas } from '../api.js';
import { describeError, useApp } from '../app.js';
import { kindLabel, modeLabel, paramFromForm, paramLabel, paramValue } from '../governance-words.js';
import { ParamValueInput } from '../param-input.js';
import { toMinor } from '../i18n.js';
import { MemberPicker } from '../member-picker.js';

type Proposal = Schemas['ProposalWithTally'];
type Decision = Schemas['Decision'];
type Rules = Schemas['GovernanceRules'];
type Comment = Schemas['Comment'];
type Delegations = Schemas['Delegations'];
type Param = Schemas['ParameterView'];

type Round = Schemas['BudgetRound'];
type Standing = Schemas['BudgetStanding'];

/** Participatory budgeting: spread points across projects; funded in order of support at the close. */
function BudgetRounds() {
  const { t, account } = useApp();
  const [rounds, setRounds] = useState<Array<{ round: Round; standings: Standing[]; mine: Record<string, number> }>>([]);
  const [draft, setDraft] = useState<Record<string, Record<string, number>>>({});
  const [msg, setMsg] = useState<Record<string, { ok: boolean; text: string }>>({});
  const load = async () => {
    const list = await api<Round[]>('/budgets');
    const full = await Promise.all(list.slice(0, 3).map((r) => api<{ round: Round; standings: Standing[]; mine: Record<string, number> }>(`/budgets/${r.id}`)));
    setRounds(full);
    setDraft(Object.fromEntries(full.map((f) => [f.round.id, f.mine])));
  };
  useEffect(() => void load().catch(() => undefined), []);
  if (!account || rounds.length === 0) return null;
  const cur = account.currency;
  const save = async (id: string) => {
    try {
      await api(`/budgets/${id}/allocation`, { method: 'PUT', body: { points: draft[id] ?? {} } });
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
              {t.t('budgetTitle')}: {r.title}
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
                    <strong>{p.title}</strong> — {t.t('asks', { amount: t.money(p.amount, cur) })}
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
                          onInput={(e) => setDraft({ ...draft, [r.id]: { ...mine, [p.id]: Math.max(0, Math.floor(Number((e.target as HTMLInputElement).value) || 0)) } })}
                        />
                      </label>
                    )}
                  </li>
                );
              })}
            </ul>
            {msg[r.id] && (
              <p role="status" class={msg[r.id]!.ok ? 'ok' : 'error'}>
                {msg[r.id]!.text}
              </p>
            )}
            {r.status === 'open' && (
              <button disabled={left < 0} onClick={() => save(r.id)}>
                {t.t('savePoints')}
              </button>
            )}
          </section>
        );
      })}
    </>
  );
}

/** What a proposal would do, in words: the parameter and its new value, the payment, the member. */
function WhatItDoes({ p, params }: { p: Proposal; params: Param[] }) {
  const { t, account, names } = useApp();
  const cur = account?.currency;
  const who = (id: unknown) => (typeof id === 'string' ? (names.get(id) ?? id) : '');
  const pl = p.payload;
  let text: string | null = null;
  if (p.kind === 'parameter' && typeof pl.name === 'string' && (typeof pl.value === 'number' || typeof pl.value === 'boolean')) {
    const now = params.find((x) => x.name === pl.name);
    text = t.t('changeParam', { name: paramLabel(t, pl.name), from: now ? paramValue(t, pl.name, now.value, cur) : '?', to: paramValue(t, pl.name, pl.value, cur) });
  } else if ((p.kind === 'spend' || p.kind === 'buy-tool') && typeof pl.amount === 'number' && cur) text = t.t('changeSpend', { amount: t.money(pl.amount, cur), name: who(pl.to) });
  else if (p.kind === 'admit') text = t.t('changeAdmit', { name: who(pl.memberId) });
  else if (p.kind === 'suspend') text = t.t('changeSuspend', { name: who(pl.memberId) });
  return text ? <p data-testid="what-it-does"><strong>{text}</strong></p> : null;
}

/** A proposal's discussion, fetched when opened. */
function Discussion({ p, onPosted }: { p: Proposal; onPosted: () => void }) {
  const { t } = useApp();
  const [comments, setComments] = useState<Comment[] | null>(null);
  const [text, setText] = useState('');
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const load = () => api<Comment[]>(`/proposals/${p.id}/comments`).then(setComments, () => undefined);
  const post = async (e: Event) => {
    e.preventDefault();
    try {
      await api(`/proposals/${p.id}/comments`, { method: 'POST', body: { text } });
      setText('');
      setMsg({ ok: true, text: t.t('commented') });
      await load();
      onPosted();
    } catch (err) {
      setMsg({ ok: false, text: describeError(t, err) });
    }
  };
  return (
    <details onToggle={(e) => (e.target as HTMLDetailsElement).open && comments === null && void load()}>
      <summary>{t.t('discussion', { n: comments?.length ?? p.comments })}</summary>
      {comments && comments.length === 0 && <p class="muted">{t.t('noComments')}</p>}
      {comments && comments.length > 0 && (
        <ul class="rows" data-testid="comments">
          {comments.map((c) => (
            <li>
              <strong>{c.name}</strong> <small class="muted">{t.date(c.at)}</small>
              <br />
              {c.text}
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={post}>
        {msg && <p role={msg.ok ? 'status' : 'alert'} class={msg.ok ? 'ok' : 'error'}>{msg.text}</p>}
        <label>
          {t.t('commentLabel')}
          <textarea name="comment" rows={3} maxLength={2000} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} required />
        </label>
        <button type="submit" disabled={text.trim().length === 0}>
          {t.t('postComment')}
        </button>
      </form>
    </details>
  );
}

function ProposalCard({ p, rules, params, onChanged }: { p: Proposal; rules: Rules | null; params: Param[]; onChanged: () => Promise<void> }) {
  const { t } = useApp();
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const [blocking, setBlocking] = useState(false);
  const [coreValue, setCoreValue] = useState('');
  const [reason, setReason] = useState('');
  const now = Date.now();
  const consensus = p.mode === 'consensus';
  const inDiscussion = consensus && now < p.discussionEndsAt;
  const vote = async (choice: 'yes' | 'no' | 'abstain' | 'block') => {
    try {
      await api(`/proposals/${p.id}/votes`, { method: 'POST', body: choice === 'block' ? { choice, coreValue, ...(reason ? { reason } : {}) } : { choice } });
      setMsg({ ok: true, text: t.t(choice === 'block' ? 'blocked' : 'voted') });
      setBlocking(false);
      await onChanged();
    } catch (e) {
      setMsg({ ok: false, text: describeError(t, e) });
    }
  };
  const choiceWord = (c: string) => t.t(c === 'yes' ? 'voteYes' : c === 'no' ? 'voteNo' : 'voteAbstain');
  const tally = p.currentTally;
  return (
    <section class="card" aria-labelledby={`p-${p.id}`}>
      <h3 id={`p-${p.id}`}>{p.title}</h3>
      <p class="muted">
        {kindLabel(t, p.kind)} · {modeLabel(t, p.mode, rules)}
      </p>
      <WhatItDoes p={p} params={params} />
      <p>{p.rationale}</p>
      <p class="muted" data-testid="phase">
        {inDiscussion ? t.t('phaseDiscussion', { date: t.date(p.discussionEndsAt), closes: t.date(p.closesAt) }) : consensus ? t.t('phaseBlock', { date: t.date(p.closesAt) }) : t.t('closes', { date: t.date(p.closesAt) })}
      </p>
      {tally && (
        <p data-testid="tally">
          {t.t('tally', { yes: tally.yes, no: tally.no, abstain: tally.abstain })}
          {consensus && ` · ${t.t('blocksCount', { n: tally.blocks })}`}
        </p>
      )}
      {msg && <p role={msg.ok ? 'status' : 'alert'} class={msg.ok ? 'ok' : 'error'}>{msg.text}</p>}
      {p.myVote ? (
        <p data-testid="my-vote">{p.myVote.choice === 'block' ? t.t('youBlocked', { value: p.myVote.coreValue ?? '' }) : t.t('youVoted', { choice: choiceWord(p.myVote.choice) })}</p>
      ) : blocking ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void vote('block');
          }}
        >
          <label>
            {t.t('blockValue')}
            <select name="core-value" value={coreValue} onChange={(e) => setCoreValue((e.target as HTMLSelectElement).value)} required>
              <option value="" />
              {(rules?.coreValues ?? []).map((v) => (
                <option value={v}>{v}</option>
              ))}
            </select>
          </label>
          <label>
            {t.t('blockReason')}
            <textarea name="block-reason" rows={2} maxLength={1000} value={reason} onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} />
          </label>
          <div class="filters">
            <button type="submit" disabled={!coreValue}>
              {t.t('blockConfirm')}
            </button>
            <button type="button" class="secondary" onClick={() => setBlocking(false)}>
              {t.t('back')}
            </button>
          </div>
        </form>
      ) : (
        <div class="filters">
          <button onClick={() => vote('yes')}>{t.t('voteYes')}</button>
          <button class="secondary" onClick={() => vote('no')}>
            {t.t('voteNo')}
          </button>
          <button class="secondary" onClick={() => vote('abstain')}>
            {t.t('voteAbstain')}
          </button>
          {consensus && !inDiscussion && (
            <button class="secondary" onClick={() => setBlocking(true)}>
              {t.t('voteBlock')}
            </button>
          )}
        </div>
      )}
      <Discussion p={p} onPosted={() => void onChanged()} />
    </section>
  );
}

/** Liquid delegation: hand my vote on a topic to someone I trust, and take it back at any time. */
function DelegationCard() {
  const { t, session } = useApp();
  const [d, setD] = useState<Delegations | null>(null);
  const [topic, setTopic] = useState('*');
  const [to, setTo] = useState<string | null>(null);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const load = () => api<Delegations>('/delegations').then(setD, () => undefined);
  useEffect(() => void load(), []);
  const put = async (body: { topic: string; to: string | null }) => {
    try {
      await api('/delegations', { method: 'PUT', body });
      setMsg({ ok: true, text: t.t('delegationSaved') });
      setTo(null);
      await load();
    } catch (e) {
      setMsg({ ok: false, text: describeError(t, e) });
    }
  };
  if (!d) return null;
  return (
    <section class="card" aria-labelledby="delegation-h">
      <h3 id="delegation-h">{t.t('delegationTitle')}</h3>
      {msg && <p role={msg.ok ? 'status' : 'alert'} class={msg.ok ? 'ok' : 'error'}>{msg.text}</p>}
      {d.mine.length === 0 && <p class="muted">{t.t('delegationNone')}</p>}
      <ul class="rows" data-testid="delegations">
        {d.mine.map((x) => (
          <li>
            {t.t('delegatedTo', { topic: kindLabel(t, x.topic), name: x.name })}{' '}
            <button class="secondary" onClick={() => put({ topic: x.topic, to: null })}>
              {t.t('takeBack')}
            </button>
          </li>
        ))}
        {d.toMe.map((x) => (
          <li class="muted">{t.t('delegatedToMe', { name: x.name, topic: kindLabel(t, x.topic) })}</li>
        ))}
      </ul>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (to) void put({ topic, to });
        }}
      >
        <label>
          {t.t('delegateTopic')}
          <select name="delegate-topic" value={topic} onChange={(e) => setTopic((e.target as HTMLSelectElement).value)}>
            {['*', 'parameter', 'spend', 'admit', 'suspend', 'buy-tool', 'text'].map((k) => (
              <option value={k}>{kindLabel(t, k)}</option>
            ))}
          </select>
        </label>
        <MemberPicker label={t.t('delegateTo')} value={to} onChange={setTo} exclude={session.member.id} />
        <button type="submit" disabled={!to}>
          {t.t('delegateButton')}
        </button>
      </form>
    </section>
  );
}

/** Any member may put something to the neighbourhood: free text, a parameter change, or spending from the fund. */
function NewProposal({ params, onMade }: { params: Param[]; onMade: () => Promise<void> }) {
  const { t, account } = useApp();
  const [kind, setKind] = useState<'text' | 'parameter' | 'spend' | 'buy-tool'>('text');
  const [title, setTitle] = useState('');
  const [rationale, setRationale] = useState('');
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const [amount, setAmount] = useState('');
  const [to, setTo] = useState<string | null>(null);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  if (!account) return null;
  const cur = account.currency;
  const param = params.find((p) => p.name === name);
  const submit = async (e: Event) => {
    e.preventDefault();
    let payload: Record<string, unknown> | undefined;
    if (kind === 'parameter') {
      const v = paramFromForm(param?.value ?? 0, name, value, cur);
      if (typeof v === 'number' && Number.isNaN(v)) return setMsg({ ok: false, text: t.t('badNumber') });
      payload = { name, value: v };
    } else if (kind === 'spend' || kind === 'buy-tool') {
      const minor = toMinor(amount, cur.minorUnits);
      if (!Number.isFinite(minor)) return setMsg({ ok: false, text: t.t('badNumber') });
      payload = { to, amount: minor };
    }
    try {
      await api('/proposals', { method: 'POST', body: { kind, title, rationale, ...(payload ? { payload } : {}) } });
      setMsg({ ok: true, text: t.t('proposalMade') });
      setTitle('');
      setRationale('');
      setValue('');
      setAmount('');
      setTo(null);
      await onMade();
    } catch (err) {
      setMsg({ ok: false, text: describeError(t, err) });
    }
  };
  const ready = title.trim() !== '' && (kind === 'text' || (kind === 'parameter' ? name !== '' && value !== '' : to !== null && amount !== ''));
  return (
    <details class="card">
      <summary>
        <strong>{t.t('newProposal')}</strong>
      </summary>
      <form onSubmit={submit}>
        {msg && <p role={msg.ok ? 'status' : 'alert'} class={msg.ok ? 'ok' : 'error'}>{msg.text}</p>}
        <label>
          {t.t('proposalKind')}
          <select name="proposal-kind" value={kind} onChange={(e) => (setKind((e.target as HTMLSelectElement).value as typeof kind), setValue(''))}>
            {(['text', 'parameter', 'spend', 'buy-tool'] as const).map((k) => (
              <option value={k}>{kindLabel(t, k)}</option>
            ))}
          </select>
        </label>
        <label>
          {t.t('proposalTitle')}
          <input name="proposal-title" maxLength={200} value={title} onInput={(e) => setTitle((e.target as HTMLInputElement).value)} required />
        </label>
        <label>
          {t.t('proposalRationale')}
          <textarea name="proposal-rationale" rows={3} maxLength={5000} value={rationale} onInput={(e) => setRationale((e.target as HTMLTextAreaElement).value)} />
        </label>
        {kind === 'parameter' && <ParamValueInput params={params} name={name} value={value} onName={setName} onValue={setValue} field="proposal" />}
        {(kind === 'spend' || kind === 'buy-tool') && (
          <>
            <label>
              {t.t('proposalAmount', { symbol: cur.symbol })}
              <input name="proposal-amount" inputMode="decimal" value={amount} onInput={(e) => setAmount((e.target as HTMLInputElement).value)} />
            </label>
            <MemberPicker label={t.t('proposalTo')} value={to} onChange={setTo} />
          </>
        )}
        <button type="submit" disabled={!ready}>
          {t.t('proposalSubmit')}
        </button>
      </form>
    </details>
  );
}

export function ProposalsPage() {
  const { t } = useApp();
  const [open, setOpen] = useState<Proposal[]>([]);
  const [log, setLog] = useState<Decision[]>([]);
  const [rules, setRules] = useState<Rules | null>(null);
  const [params, setParams] = useState<Param[]>([]);
  const load = async () => {
    const [o, l] = await Promise.all([api<Proposal[]>('/proposals?status=open'), api<Decision[]>('/decisions')]);
    setOpen(o);
    setLog(l);
  };
  useEffect(() => {
    void load();
    void api<Rules>('/governance/rules').then(setRules, () => undefined);
    void api<Param[]>('/parameters').then(setParams, () => undefined);
  }, []);
  return (
    <>
      <h2>{t.t('proposals')}</h2>
      <NewProposal params={params} onMade={load} />
      {open.length === 0 && <p>{t.t('nothingYet')}</p>}
      {open.map((p) => (
        <ProposalCard key={p.id} p={p} rules={rules} params={params} onChanged={load} />
      ))}
      <DelegationCard />
      <BudgetRounds />
      <section class="card">
        <h3>{t.t('decisionLog')}</h3>
        <ul class="rows">
          {log.map((d) => (
            <li>
              <strong>{d.title}</strong> — {d.decision === 'adopted' ? t.t('adopted') : t.t('rejected')}{' '}
              <small class="muted">
                ({t.t('tally', { yes: d.yes, no: d.no, abstain: d.abstain })}
                {d.blocks > 0 && ` · ${t.t('blocksCount', { n: d.blocks })}`})
              </small>
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
