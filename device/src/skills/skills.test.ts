import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DAY_MS } from '../clock.js';
import { makeCore, type TestCore } from '../test-support.js';

let core: TestCore;
const m: Record<string, string> = {};
beforeEach(async () => {
  core = makeCore();
  for (const n of ['ana', 'bo', 'cy', 'di']) m[n] = (await core.members.create({ name: n, email: `${n}@example.org` }, null)).id;
});
afterEach(() => core.cleanup());

describe('skills inventory', () => {
  it('keeps one primary skill and finds critical gaps with who could learn', async () => {
    await core.skills.setSkill(m.ana!, { skill: 'Bicycle repair', level: 4, primary: true, teach: true });
    await core.skills.setSkill(m.ana!, { skill: 'Beekeeping', level: 2, primary: true });
    expect(
      core.skills
        .skillsOf(m.ana!)
        .filter((s) => s.primary)
        .map((s) => s.skill),
    ).toEqual(['beekeeping']);
    await core.skills.setSkill(m.bo!, { skill: 'Beekeeping', level: 5 });
    await core.skills.setSkill(m.cy!, { skill: 'Electrical repair', level: 1 });
    await core.skills.setLearning(m.di!, 'bicycle repair', true);
    await core.skills.markNeeded('Welding', m.bo!, 'for the cargo bikes');
    await core.skills.markNeeded('Bicycle repair', m.bo!, null);
    const gaps = core.skills.gapReport();
    expect(gaps.missing).toEqual([{ skill: 'welding', couldLearn: [] }]);
    const bike = gaps.singleHolder.find((g) => g.skill === 'bicycle repair')!;
    expect(bike).toMatchObject({ holder: m.ana, canTeach: true });
    expect(bike.couldLearn.sort()).toEqual([m.di, m.cy].sort()); // di is learning it; cy repairs other things
    await expect(core.skills.setSkill(m.ana!, { skill: 'x', level: 9 })).rejects.toMatchObject({ status: 400 });
  });

  it('matches learners with willing teachers who are free at the same time, as proposals both accept', async () => {
    await core.skills.setSkill(m.ana!, { skill: 'sourdough', level: 5, teach: true });
    await core.skills.setSkill(m.bo!, { skill: 'sourdough', level: 3, teach: true });
    await core.skills.setAvailability(m.ana!, ['mon-evening']);
    await core.skills.setAvailability(m.bo!, ['sat-morning', 'sun-morning']);
    await core.skills.setAvailability(m.cy!, ['sat-morning']);
    await core.skills.setLearning(m.cy!, 'Sourdough', true);
    const [match] = await core.skills.matchMentors();
    expect(match).toMatchObject({ learner: m.cy, teacher: m.bo, when: ['sat-morning'], status: 'proposed' });
    expect(await core.skills.matchMentors()).toEqual([]); // not proposed twice
    await core.skills.answerMentorship(match!.id, m.cy!, true);
    expect((await core.skills.answerMentorship(match!.id, m.bo!, true)).status).toBe('accepted');
    await expect(core.skills.answerMentorship(match!.id, m.di!, true)).rejects.toMatchObject({ status: 403 });
  });
});

describe('time-bank board', () => {
  it('pays the hours when an exchange completes: whoever was helped pays', async () => {
    const offer = await core.skills.postOffer(m.ana!, { kind: 'offer', title: 'Fix your bike', category: 'repairs', tags: ['Bikes'], hours: 150 });
    const req = await core.skills.postOffer(m.bo!, { kind: 'request', title: 'Help moving', category: 'help', hours: 300 });
    expect(core.skills.listOffers({ tag: 'bikes' }).map((o) => o.id)).toEqual([offer.id]);
    await expect(core.skills.takeOffer(offer.id, m.ana!)).rejects.toMatchObject({ status: 422 });
    await core.skills.takeOffer(offer.id, m.cy!);
    await core.skills.takeOffer(req.id, m.di!);
    await expect(core.skills.complete(offer.id, m.cy!)).rejects.toMatchObject({ status: 403 });
    await core.skills.complete(offer.id, m.ana!);
    // Fewer hours than agreed cost the helper (di, who is paid): they move once di agrees.
    expect(await core.skills.complete(req.id, m.bo!, 250)).toMatchObject({ status: 'taken', proposedHours: 250 });
    await core.skills.confirmHours(req.id, m.di!);
    expect(core.ledger.account(m.ana!, 'hour').balance).toBe(150);
    expect(core.ledger.account(m.cy!, 'hour').balance).toBe(-150);
    expect(core.ledger.account(m.di!, 'hour').balance).toBe(250);
    expect(core.ledger.account(m.bo!, 'hour').balance).toBe(-250);
  });

  it('reminds the owner before a post expires, once', async () => {
    await core.skills.postOffer(m.ana!, { kind: 'offer', title: 'Jam', category: 'food', hours: 50, expiresInDays: 3 });
    core.clock.advance(1.5 * DAY_MS);
    expect((await core.skills.remindExpiring()).reminded).toBe(1);
    expect((await core.skills.remindExpiring()).reminded).toBe(0);
    core.clock.advance(2 * DAY_MS);
    expect((await core.skills.remindExpiring()).expired).toBe(1);
    expect(core.notifications.list(m.ana!).map((n) => n.kind)).toEqual(['timebank-expiring']);
  });
});
