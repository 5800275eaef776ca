import { useState } from 'preact/hooks';
import { get, type Schemas, send } from '../api.js';
import { Button, useActions, StatusLine, YesNo } from '../actions.js';
import { useApp } from '../app.js';
import { parseDecimal, toMinor } from '../i18n.js';
import { SkillGaps } from './skill-gaps.js';

/** My skills and what I want to learn, the time bank's offers and requests, and mentorships. Loaded on demand. */
type Skill = Schemas['MemberSkill'];
type TimePost = Schemas['TimeBankPost'];
type Mentorship = Schemas['Mentorship'];

export function SkillsPage() {
  const { t, session, names, refresh } = useApp();
  const me = session.member.id;
  const [mine, setMine] = useState<{ skills: Skill[]; learning: string[] }>({ skills: [], learning: [] });
  const [posts, setPosts] = useState<TimePost[]>([]);
  const [mentorships, setMentorships] = useState<Mentorship[]>([]);
  const [skill, setSkill] = useState('');
  const [level, setLevel] = useState(3);
  const [teach, setTeach] = useState(false);
  const [learn, setLearn] = useState('');
  const [post, setPost] = useState({ kind: 'offer' as 'offer' | 'request', title: '', category: '', hours: '1' });

  const load = async () => {
    const [s, p, m] = await Promise.all([get('/members/{memberId}/skills', { params: { memberId: me } }), get('/timebank'), get('/mentorships')]);
    setMine({ skills: s.skills, learning: s.learning });
    setPosts(p.filter((x) => x.status === 'open' || x.owner === me || x.takenBy === me));
    setMentorships(m);
  };
  const { msg, act } = useActions(load, refresh);
  const hours = (h: number) => t.t('hoursValue', { n: t.hours(h) });

  return (
    <>
      <h2>{t.t('skills')}</h2>
      <StatusLine msg={msg} />
      <section class="card" aria-labelledby="my-skills-h">
        <h3 id="my-skills-h">{t.t('mySkills')}</h3>
        <ul class="rows">
          {mine.skills.map((s) => (
            <li>
              <strong>{s.skill}</strong> — {t.t('levelOf', { n: s.level })}
              {s.teach ? ` · ${t.t('willTeach')}` : ''}
            </li>
          ))}
          {mine.learning.map((l) => (
            <li>{t.tx('learningThis', { skill: l })}</li>
          ))}
        </ul>
        <label>
          {t.t('skillName')}
          <input name="skill" value={skill} onInput={(e) => setSkill((e.target as HTMLInputElement).value)} maxLength={60} />
        </label>
        <label>
          {t.t('skillLevel')}
          <select name="level" value={String(level)} onChange={(e) => setLevel(Number((e.target as HTMLSelectElement).value))}>
            {[1, 2, 3, 4, 5].map((n) => (
              <option value={String(n)}>{t.t('levelOf', { n })}</option>
            ))}
          </select>
        </label>
        <label class="check">
          <input type="checkbox" checked={teach} onChange={(e) => setTeach((e.target as HTMLInputElement).checked)} /> {t.t('willTeach')}
        </label>
        <Button
          why={!skill.trim() ? t.t('whyFillIn') : null}
          onClick={() =>
            act(() => send('put', '/members/{memberId}/skills', { params: { memberId: me }, body: { skill: skill.trim(), level, teach } }), t.t('saved'))
          }
        >
          {t.t('addSkill')}
        </Button>
        <label>
          {t.t('wantToLearn')}
          <input name="learn" value={learn} onInput={(e) => setLearn((e.target as HTMLInputElement).value)} maxLength={60} />
        </label>
        <Button
          class="secondary"
          why={!learn.trim() ? t.t('whyFillIn') : null}
          onClick={() =>
            act(() => send('put', '/members/{memberId}/learning', { params: { memberId: me }, body: { skill: learn.trim(), learning: true } }), t.t('saved'))
          }
        >
          {t.t('addLearning')}
        </Button>
      </section>

      <SkillGaps learning={mine.learning} onChanged={load} />

      <section class="card" aria-labelledby="mentor-h">
        <h3 id="mentor-h">{t.t('mentorships')}</h3>
        {mentorships.length === 0 && <p>{t.t('nothingYet')}</p>}
        <ul class="rows">
          {mentorships.map((m) => (
            <li>
              {m.teacher === me
                ? t.t('youMentor', { name: names.get(m.learner) ?? '', skill: m.skill })
                : t.t('mentorsYou', { name: names.get(m.teacher) ?? '', skill: m.skill })}{' '}
              — <strong>{t.t(m.status === 'accepted' ? 'agreed' : m.status === 'declined' ? 'declined' : 'awaitingConsent')}</strong>
              {m.when.length > 0 && <small class="muted"> · {m.when.join(', ')}</small>}
              {m.status === 'proposed' && !(m.teacher === me ? m.teacherAccepted : m.learnerAccepted) && (
                <YesNo
                  yes={t.t('acceptTerms')}
                  no={t.t('reject')}
                  onAnswer={(accept) => act(() => send('post', '/mentorships/{id}/answer', { params: { id: m.id }, body: { accept } }), t.t('done'))}
                />
              )}
            </li>
          ))}
        </ul>
      </section>

      <section class="card" aria-labelledby="timebank-h">
        <h3 id="timebank-h">{t.t('timeBankBoard')}</h3>
        <ul class="rows">
          {posts.map((p) => (
            <li data-testid="time-post">
              <strong>
                <bdi>{p.title}</bdi>
              </strong>{' '}
              —{' '}
              {p.owner === me
                ? t.t(p.kind === 'offer' ? 'offersMine' : 'asksMine', { hours: hours(p.hours) })
                : t.t(p.kind === 'offer' ? 'offers' : 'asksHours', { name: names.get(p.owner) ?? '', hours: hours(p.hours) })}
              <br />
              <small class="muted">
                {p.category} · {t.t(`post_${p.status}` as 'post_open')}
              </small>
              {p.status === 'open' && p.owner !== me && (
                <div>
                  <button onClick={() => act(() => send('post', '/timebank/{id}/take', { params: { id: p.id } }), t.t('taken'))}>
                    {t.t(p.kind === 'offer' ? 'takeOffer' : 'helpOut')}
                  </button>
                </div>
              )}
              {p.status === 'taken' && p.owner === me && (
                <div>
                  <button onClick={() => act(() => send('post', '/timebank/{id}/complete', { params: { id: p.id }, body: {} }), t.t('hoursMoved'))}>
                    {t.tx('confirmDone', { name: names.get(p.takenBy ?? '') ?? '' })}
                  </button>
                </div>
              )}
              {p.status === 'taken' && p.proposedHours != null && (
                <p class="muted" data-testid="hours-proposed">
                  {t.t('hoursProposed', { hours: hours(p.proposedHours), agreed: hours(p.hours) })}
                </p>
              )}
              {p.status === 'taken' && p.takenBy === me && p.proposedHours != null && (
                <div>
                  <button onClick={() => act(() => send('post', '/timebank/{id}/confirm-hours', { params: { id: p.id } }), t.t('hoursMoved'))}>
                    {t.t('confirmHours', { hours: hours(p.proposedHours) })}
                  </button>
                </div>
              )}
            </li>
          ))}
        </ul>
        <h4>{t.t('postTime')}</h4>
        <label>
          {t.t('kind')}
          <select name="time-kind" value={post.kind} onChange={(e) => setPost({ ...post, kind: (e.target as HTMLSelectElement).value as 'offer' | 'request' })}>
            <option value="offer">{t.t('iOffer')}</option>
            <option value="request">{t.t('iNeed')}</option>
          </select>
        </label>
        <label>
          {t.t('whatTitle')}
          <input name="time-title" value={post.title} onInput={(e) => setPost({ ...post, title: (e.target as HTMLInputElement).value })} maxLength={120} />
        </label>
        <label>
          {t.t('category')}
          <input
            name="time-category"
            value={post.category}
            onInput={(e) => setPost({ ...post, category: (e.target as HTMLInputElement).value })}
            maxLength={40}
          />
        </label>
        <label>
          {t.t('howManyHours')}
          <input name="time-hours" inputMode="decimal" value={post.hours} onInput={(e) => setPost({ ...post, hours: (e.target as HTMLInputElement).value })} />
        </label>
        <Button
          why={!post.title.trim() || !post.category.trim() || !(parseDecimal(post.hours) > 0) ? t.t('whyFillIn') : null}
          onClick={() =>
            act(
              () =>
                send('post', '/timebank', {
                  body: { kind: post.kind, title: post.title.trim(), category: post.category.trim(), hours: toMinor(post.hours, 2) },
                }),
              t.t('posted'),
            )
          }
        >
          {t.t('post')}
        </Button>
      </section>
    </>
  );
}
