import { useState } from 'preact/hooks';
import { get, type Schemas, send } from '../api.js';
import { Button, useActions, StatusLine, YesNo } from '../actions.js';
import { useApp } from '../app.js';

/**
 * Needs and surpluses: post one, accept what the engine proposes, see what
 * is coming, and confirm it arrived. An emergency shows as a banner on top.
 * Loaded on demand.
 */
const RESOURCES = ['food', 'water', 'power', 'labour', 'tool', 'medical'] as const;
type Resource = (typeof RESOURCES)[number];

type Post = Schemas['ListedBoardPost'];
type Proposal = Schemas['FlowProposal'];

export function SharePage() {
  const { t, session, names } = useApp();
  const me = session.member.id;
  const [posts, setPosts] = useState<Post[]>([]);
  const [proposals, setProposals] = useState<Proposal[]>([]);
  const [crisis, setCrisis] = useState<{ note: string } | null>(null);
  const [form, setForm] = useState({ kind: 'need' as 'need' | 'surplus', resource: 'food' as Resource, title: '', quantity: '' });

  const load = async () => {
    const [p, pr, c] = await Promise.all([get('/board/posts', { query: { status: 'open' } }), get('/flow/proposals'), get('/crisis')]);
    setPosts(p);
    setProposals(pr);
    setCrisis(c.active);
  };
  const { msg, act } = useActions(load);
  const res = (r: Resource, n: number) => `${n} ${t.t(`res_${r}` as 'res_food')}`;
  const who = (id: string) => (id === me ? t.t('you') : (names.get(id) ?? ''));
  const mineToAnswer = proposals.filter(
    (p) => p.status === 'proposed' && ((p.supplier === me && !p.supplierAccepted) || (p.receiver === me && !p.receiverAccepted)),
  );
  const coming = proposals.filter((p) => p.status === 'pledged');

  return (
    <>
      <h2>{t.t('sharing')}</h2>
      {crisis && (
        <p class="banner" role="alert">
          {t.tx('emergencyHere', { note: crisis.note })}
        </p>
      )}
      <StatusLine msg={msg} />

      {mineToAnswer.length > 0 && (
        <section class="card" aria-labelledby="proposed-h">
          <h3 id="proposed-h">{t.t('proposedToYou')}</h3>
          <ul class="rows">
            {mineToAnswer.map((p) => (
              <li>
                {p.receiver === me
                  ? t.t('bringsYou', { name: who(p.supplier), what: res(p.resource, p.quantity) })
                  : t.t('youBring', { name: who(p.receiver), what: res(p.resource, p.quantity) })}
                <YesNo
                  yes={t.t('consent')}
                  no={t.t('reject')}
                  onAnswer={(accept) => act(() => send('post', `/flow/proposals/{id}/${accept ? 'accept' : 'reject'}`, { params: { id: p.id } }), t.t('done'))}
                />
              </li>
            ))}
          </ul>
        </section>
      )}

      <section class="card" aria-labelledby="coming-h">
        <h3 id="coming-h">{t.t('whatIsComing')}</h3>
        {coming.length === 0 && <p>{t.t('nothingYet')}</p>}
        <ul class="rows">
          {coming.map((p) => (
            <li>
              {p.receiver === me
                ? t.t('bringsYou', { name: who(p.supplier), what: res(p.resource, p.quantity) })
                : t.t('youBring', { name: who(p.receiver), what: res(p.resource, p.quantity) })}
              {p.receiver === me && (
                <div>
                  <button onClick={() => act(() => send('post', '/flow/proposals/{id}/fulfil', { params: { id: p.id }, body: {} }), t.t('thanksArrived'))}>
                    {t.t('itArrived')}
                  </button>
                </div>
              )}
            </li>
          ))}
        </ul>
      </section>

      <section class="card" aria-labelledby="board-h">
        <h3 id="board-h">{t.t('boardTitle')}</h3>
        <ul class="rows">
          {posts.map((p) => (
            <li data-testid="board-post">
              <strong>{p.kind === 'need' ? t.t('needsLabel') : t.t('spareLabel')}</strong> {res(p.resource, p.quantity - p.committed)} — <bdi>{p.title}</bdi>
              <br />
              <small class="muted">
                {who(p.owner)}
                {p.place ? ` · ${p.place.name}` : ''} · {t.t('until', { date: t.date(p.to) })}
              </small>
              {(p.owner === me || session.member.role !== 'resident') && (
                <div>
                  <button class="link" onClick={() => act(() => send('post', '/board/posts/{id}/close', { params: { id: p.id } }), t.t('done'))}>
                    {t.t('closePost')}
                  </button>
                </div>
              )}
            </li>
          ))}
        </ul>
        <h4>{t.t('postNeedOrSpare')}</h4>
        <label>
          {t.t('kind')}
          <select name="post-kind" value={form.kind} onChange={(e) => setForm({ ...form, kind: (e.target as HTMLSelectElement).value as 'need' | 'surplus' })}>
            <option value="need">{t.t('iNeed')}</option>
            <option value="surplus">{t.t('iHaveSpare')}</option>
          </select>
        </label>
        <label>
          {t.t('resource')}
          <select
            name="post-resource"
            value={form.resource}
            onChange={(e) => setForm({ ...form, resource: (e.target as HTMLSelectElement).value as Resource })}
          >
            {RESOURCES.map((r) => (
              <option value={r}>{t.t(`res_${r}` as 'res_food')}</option>
            ))}
          </select>
        </label>
        <label>
          {t.t('whatTitle')}
          <input name="post-title" value={form.title} onInput={(e) => setForm({ ...form, title: (e.target as HTMLInputElement).value })} maxLength={120} />
        </label>
        <label>
          {t.t('quantity')}
          <input
            name="post-quantity"
            inputMode="numeric"
            value={form.quantity}
            onInput={(e) => setForm({ ...form, quantity: (e.target as HTMLInputElement).value })}
          />
        </label>
        <Button
          why={!form.title.trim() || !(Number.parseInt(form.quantity, 10) > 0) ? t.t('whyFillIn') : null}
          onClick={async () => {
            if (
              await act(
                () =>
                  send('post', '/board/posts', {
                    body: { kind: form.kind, resource: form.resource, title: form.title.trim(), quantity: Number.parseInt(form.quantity, 10) },
                  }),
                t.t('posted'),
                'post',
              )
            )
              setForm({ ...form, title: '', quantity: '' });
          }}
        >
          {t.t('post')}
        </Button>
        <StatusLine msg={msg} at="post" />
      </section>
    </>
  );
}
