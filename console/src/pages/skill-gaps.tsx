import { useState } from 'preact/hooks';
import { Button, StatusLine, useActions } from '../actions.js';
import { get, type Schemas, send } from '../api.js';
import { useApp } from '../app.js';

type Gaps = Schemas['SkillGaps'];

/**
 * What the neighbourhood would lose or lacks: skills it needs that nobody
 * holds, and skills only one person holds, with who could learn each. Any
 * member can offer to learn one; stewards mark what the community needs.
 */
export function SkillGaps({ learning, onChanged }: { learning: string[]; onChanged: () => Promise<void> }) {
  const { t, session, names } = useApp();
  const me = session.member.id;
  const steward = session.member.role !== 'resident';
  const [gaps, setGaps] = useState<Gaps | null>(null);
  const [needed, setNeeded] = useState('');
  const load = () => get('/skills/gaps').then(setGaps);
  const { msg, act } = useActions(load, onChanged);
  const couldLearn = (ids: string[]) =>
    ids.length > 0 && (
      <>
        <br />
        <small class="muted">{t.tx('couldLearn', { names: ids.map((id) => names.get(id) ?? id).join(', ') })}</small>
      </>
    );
  const learn = (skill: string) =>
    learning.includes(skill) ? (
      <small class="muted"> · {t.t('youAreLearning')}</small>
    ) : (
      <button
        class="link"
        onClick={() =>
          act(() => send('put', '/members/{memberId}/learning', { params: { memberId: me }, body: { skill, learning: true } }), t.t('learningNoted', { skill }))
        }
      >
        {t.t('iWillLearn')}
      </button>
    );
  if (!gaps) return null;
  return (
    <section class="card" aria-labelledby="gaps-h" data-testid="skill-gaps">
      <h3 id="gaps-h">{t.t('skillGaps')}</h3>
      <StatusLine msg={msg} />
      <h4>{t.t('nobodyHolds')}</h4>
      {gaps.missing.length === 0 ? (
        <p>{t.t('nothingYet')}</p>
      ) : (
        <ul class="rows" data-testid="missing-skills">
          {gaps.missing.map((g) => (
            <li data-skill={g.skill}>
              <strong>{g.skill}</strong> {learn(g.skill)}
              {couldLearn(g.couldLearn)}
            </li>
          ))}
        </ul>
      )}
      <h4>{t.t('onlyOneHolds')}</h4>
      {gaps.singleHolder.length === 0 ? (
        <p>{t.t('nothingYet')}</p>
      ) : (
        <ul class="rows" data-testid="single-holder">
          {gaps.singleHolder.map((g) => (
            <li data-skill={g.skill}>
              <strong>{g.skill}</strong>: {names.get(g.holder) ?? g.holder}
              {g.canTeach ? ` (${t.t('teachesIt')})` : ''} {g.holder !== me && learn(g.skill)}
              {couldLearn(g.couldLearn)}
            </li>
          ))}
        </ul>
      )}
      {steward && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void act(() => send('put', '/skills/needed', { body: { skill: needed.trim(), needed: true } }), t.t('neededNoted', { skill: needed.trim() })).then(
              () => setNeeded(''),
            );
          }}
        >
          <label>
            {t.t('markNeeded')}
            <input name="needed-skill" maxLength={60} value={needed} onInput={(e) => setNeeded((e.target as HTMLInputElement).value)} required />
          </label>
          <Button type="submit" class="secondary" why={!needed.trim() ? t.t('whyFillIn') : null}>
            {t.t('markNeededButton')}
          </Button>
        </form>
      )}
    </section>
  );
}
