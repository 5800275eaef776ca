import { useEffect, useState } from 'preact/hooks';
import { Button, StatusLine, type Said } from '../actions.js';
import { get, type Schemas, send } from '../api.js';
import { describeError, useApp } from '../app.js';
import { kindLabel, modeLabel, paramLabel, paramValue } from '../governance-words.js';
import { BudgetRounds } from './budget-rounds.js';
import { DelegationCard } from './delegation.js';
import { NewProposal } from './new-proposal.js';

type Proposal = Schemas['ProposalWithTally'];
type Decision = Schemas['Decision'];
type Rules = Schemas['GovernanceRules'];
type Comment = Schemas['Comment'];
type Param = Schemas['ParameterView'];

/** What a proposal would do, in words: the parameter and its new value, the payment, the member. */
function WhatItDoes({ p, params }: { p: Proposal; params: Param[] }) {
  const { t, account, names } = useApp();
  const cur = account?.currency;
  const who = (id: unknown) => (typeof id === 'string' ? (names.get(id) ?? id) : '');
  const pl = p.payload;
  let text: string | null = null;
  if (p.kind === 'parameter' && typeof pl.name === 'string' && (typeof pl.value === 'number' || typeof pl.value === 'boolean')) {
    const now = params.find((x) => x.name === pl.name);
    text = t.t('changeParam', {
      name: paramLabel(t, pl.name),
      from: now ? paramValue(t, pl.name, now.value, cur) : '?',
      to: paramValue(t, pl.name, pl.value, cur),
    });
  } else if ((p.kind === 'spend' || p.kind === 'buy-tool') && typeof pl.amount === 'number' && cur)
    text = t.t('changeSpend', { amount: t.money(pl.amount, cur), name: who(pl.to) });
  else if (p.kind === 'admit') text = t.t('changeAdmit', { name: who(pl.memberId) });
  else if (p.kind === 'suspend') text = t.t('changeSuspend', { name: who(pl.memberId) });
  else if (p.kind === 'limits' && cur) {
    const amount = (v: unknown) => (typeof v === 'number' ? t.money(v, cur) : v === null ? t.t('limitDefault') : '—');
    text = t.t('changeLimits', { name: who(pl.account), floor: amount(pl.floor), ceiling: amount(pl.ceiling) });
  } else if (p.kind === 'update' && typeof pl.version === 'string')
    text = t.t('changeUpdate', { version: pl.version, from: String(pl.from ?? '?'), signature: String(pl.signature ?? '?') });
  return text ? (
    <p data-testid="what-it-does">
      <strong>{text}</strong>
    </p>
  ) : null;
}

/** A proposal's discussion, fetched when opened. */
function Discussion({ p, onPosted }: { p: Proposal; onPosted: () => void }) {
  const { t } = useApp();
  const [comments, setComments] = useState<Comment[] | null>(null);
  const [text, setText] = useState('');
  const [msg, setMsg] = useState<Said | null>(null);
  const load = () => get('/proposals/{id}/comments', { params: { id: p.id } }).then(setComments, () => undefined);
  const post = async (e: Event) => {
    e.preventDefault();
    try {
      await send('post', '/proposals/{id}/comments', { params: { id: p.id }, body: { text } });
      setText('');
      // Said once the discussion shown includes it.
      await load();
      setMsg({ ok: true, text: t.t('commented') });
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
              <strong>
                <bdi>{c.name}</bdi>
              </strong>{' '}
              <small class="muted">{t.date(c.at)}</small>
              <br />
              {c.text}
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={post}>
        <StatusLine msg={msg} />
        <label>
          {t.t('commentLabel')}
          <textarea name="comment" rows={3} maxLength={2000} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} required />
        </label>
        <Button type="submit" why={text.trim().length === 0 ? t.t('whyFillIn') : null}>
          {t.t('postComment')}
        </Button>
      </form>
    </details>
  );
}

function ProposalCard({ p, rules, params, onChanged }: { p: Proposal; rules: Rules | null; params: Param[]; onChanged: () => Promise<void> }) {
  const { t } = useApp();
  const [msg, setMsg] = useState<Said | null>(null);
  const [blocking, setBlocking] = useState(false);
  const [coreValue, setCoreValue] = useState('');
  const [reason, setReason] = useState('');
  const now = Date.now();
  const consensus = p.mode === 'consensus';
  const inDiscussion = consensus && now < p.discussionEndsAt;
  const vote = async (choice: 'yes' | 'no' | 'abstain' | 'block') => {
    try {
      await send('post', '/proposals/{id}/votes', {
        params: { id: p.id },
        body: choice === 'block' ? { choice, coreValue, ...(reason ? { reason } : {}) } : { choice },
      });
      setBlocking(false);
      // Said once the tally shown counts it.
      await onChanged();
      setMsg({ ok: true, text: t.t(choice === 'block' ? 'blocked' : 'voted') });
    } catch (e) {
      setMsg({ ok: false, text: describeError(t, e) });
    }
  };
  const choiceWord = (c: string) => t.t(c === 'yes' ? 'voteYes' : c === 'no' ? 'voteNo' : 'voteAbstain');
  const tally = p.currentTally;
  return (
    <section class="card" aria-labelledby={`p-${p.id}`}>
      <h3 id={`p-${p.id}`}>
        <bdi>{p.title}</bdi>
      </h3>
      <p class="muted">
        {kindLabel(t, p.kind)} · {modeLabel(t, p.mode, rules)}
      </p>
      <WhatItDoes p={p} params={params} />
      <p>{p.rationale}</p>
      <p class="muted" data-testid="phase">
        {inDiscussion
          ? t.t('phaseDiscussion', { date: t.date(p.discussionEndsAt), closes: t.date(p.closesAt) })
          : consensus
            ? t.t('phaseBlock', { date: t.date(p.closesAt) })
            : t.t('closes', { date: t.date(p.closesAt) })}
      </p>
      {tally && (
        <p data-testid="tally">
          {t.t('tally', { yes: tally.yes, no: tally.no, abstain: tally.abstain })}
          {consensus && ` · ${t.t('blocksCount', { n: tally.blocks })}`}
        </p>
      )}
      <StatusLine msg={msg} />
      {p.myVote ? (
        <p data-testid="my-vote">
          {p.myVote.choice === 'block' ? t.t('youBlocked', { value: p.myVote.coreValue ?? '' }) : t.t('youVoted', { choice: choiceWord(p.myVote.choice) })}
        </p>
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
            <Button type="submit" why={!coreValue ? t.t('whyFillIn') : null}>
              {t.t('blockConfirm')}
            </Button>
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

export function ProposalsPage() {
  const { t, session } = useApp();
  const [open, setOpen] = useState<Proposal[]>([]);
  const [log, setLog] = useState<Decision[]>([]);
  const steward = session.member.role !== 'resident';
  const [rules, setRules] = useState<Rules | null>(null);
  const [params, setParams] = useState<Param[]>([]);
  const load = async () => {
    const [o, l] = await Promise.all([get('/proposals', { query: { status: 'open' } }), get('/decisions')]);
    setOpen(o);
    setLog(l);
  };
  useEffect(() => {
    void load();
    void get('/governance/rules').then(setRules, () => undefined);
    void get('/parameters').then(setParams, () => undefined);
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
              <strong>
                <bdi>{d.title}</bdi>
              </strong>{' '}
              — {d.decision === 'adopted' ? t.t('adopted') : t.t('rejected')}{' '}
              <small class="muted">
                ({t.t('tally', { yes: d.yes, no: d.no, abstain: d.abstain })}
                {d.blocks > 0 && ` · ${t.t('blocksCount', { n: d.blocks })}`})
              </small>
              <br />
              <small class="muted">{t.date(Date.parse(d.date))}</small>
              {d.rationale && <p class="muted">{t.t('rationaleWas', { text: d.rationale })}</p>}
              {d.notes && (
                <ul class="notes" data-testid="outcome-notes">
                  {d.notes.split(' | ').map((n) => (
                    <li>{n}</li>
                  ))}
                </ul>
              )}
              {steward && <OutcomeNote proposal={d.proposal} onAdded={load} />}
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

/** A steward records how a decision turned out, later; the log keeps every note. */
function OutcomeNote({ proposal, onAdded }: { proposal: string; onAdded: () => Promise<void> }) {
  const { t } = useApp();
  const [note, setNote] = useState('');
  const [msg, setMsg] = useState<Said | null>(null);
  const add = async (e: Event) => {
    e.preventDefault();
    try {
      await send('post', '/proposals/{id}/notes', { params: { id: proposal }, body: { note: note.trim() } });
      setNote('');
      await onAdded();
      setMsg({ ok: true, text: t.t('noteAdded') });
    } catch (err) {
      setMsg({ ok: false, text: describeError(t, err) });
    }
  };
  return (
    <details>
      <summary>{t.t('addOutcomeNote')}</summary>
      <form onSubmit={add}>
        <label>
          {t.t('outcomeNote')}
          <input name={`note-${proposal}`} maxLength={1000} value={note} onInput={(e) => setNote((e.target as HTMLInputElement).value)} required />
        </label>
        <Button type="submit" class="secondary" why={!note.trim() ? t.t('whyFillIn') : null}>
          {t.t('addOutcomeNote')}
        </Button>
        <StatusLine msg={msg} />
      </form>
    </details>
  );
}
