import { useEffect, useState } from 'preact/hooks';
import { Button, StatusLine, type Said } from '../actions.js';
import { get, type Schemas, type BodyOf, send } from '../api.js';
import { describeError, useApp } from '../app.js';
import { kindLabel } from '../governance-words.js';
import { MemberPicker } from '../member-picker.js';

type Delegations = Schemas['Delegations'];

/** Liquid delegation: hand my vote on a topic to someone I trust, and take it back at any time. */
export function DelegationCard() {
  const { t, session } = useApp();
  const [d, setD] = useState<Delegations | null>(null);
  const [topic, setTopic] = useState('*');
  const [to, setTo] = useState<string | null>(null);
  const [msg, setMsg] = useState<Said | null>(null);
  const load = () => get('/delegations').then(setD, (e: unknown) => setMsg({ ok: false, text: describeError(t, e) }));
  useEffect(() => void load(), []);
  const put = async (body: { topic: string; to: string | null }) => {
    try {
      // Topics come from the hub's own list (its proposal kinds, or * for all); it refuses any other.
      await send('put', '/delegations', { body: { ...body, topic: body.topic as BodyOf<'put', '/delegations'>['topic'] } });
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
      <StatusLine msg={msg} />
      {d.mine.length === 0 && <p class="muted">{t.t('delegationNone')}</p>}
      <ul class="rows" data-testid="delegations">
        {d.mine.map((x) => (
          <li>
            {t.tx('delegatedTo', { topic: kindLabel(t, x.topic), name: x.name })}{' '}
            <button class="secondary" onClick={() => put({ topic: x.topic, to: null })}>
              {t.t('takeBack')}
            </button>
          </li>
        ))}
        {d.toMe.map((x) => (
          <li class="muted">{t.tx('delegatedToMe', { name: x.name, topic: kindLabel(t, x.topic) })}</li>
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
            {['*', 'parameter', 'spend', 'admit', 'suspend', 'buy-tool', 'text', 'update', 'limits'].map((k) => (
              <option value={k}>{kindLabel(t, k)}</option>
            ))}
          </select>
        </label>
        <MemberPicker label={t.t('delegateTo')} value={to} onChange={setTo} exclude={session.member.id} />
        <Button type="submit" why={!to ? t.t('whyFillIn') : null}>
          {t.t('delegateButton')}
        </Button>
      </form>
    </section>
  );
}
