import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { axe } from './console-axe.js';
import { consoleHub } from './console-fixture.js';
import { emailOf } from './demo/index.js';
import { SHOTS, shot } from './screenshots.js';

/**
 * Deciding together in the console: votes and their tally, discussion,
 * blocks citing a core value and delegated votes, parameter changes within
 * their range, and the community budget. Real Chromium on a phone-sized
 * screen, against a demo hub of this file's own (console-fixture.ts).
 */
const fx = consoleHub('hyphae-e2e-governance-');
const { phone, signIn, api, navTo } = fx;

describe('the console: governance', () => {
  it('votes on an open proposal and sees the tally change', { timeout: 60_000 }, async () => {
    const page = await phone('en');
    await signIn(page, 'carmen.ruiz@demo.hyphae');
    await navTo(page, '/proposals');
    const card = page.locator('section.card', { hasText: 'Raise demurrage to 3% a year' });
    await card.locator('[data-testid=tally]').waitFor();
    // What it would change, in words and the units people use, and how it is decided. The value in
    // force comes with the parameters, which may answer after the proposals ("from ?" until then).
    await card.locator('[data-testid=what-it-does]', { hasText: 'from 2 %' }).waitFor();
    expect(await card.locator('[data-testid=what-it-does]').textContent()).toBe('Demurrage, % of a balance a year: from 2 % to 3 %');
    expect(await card.textContent()).toContain('Parameter change · Needs 70 % of votes to be yes, with 30 % of members voting');
    const before = await card.locator('[data-testid=tally]').textContent();
    await card.locator('button:has-text("Yes")').click();
    await card.locator('p[role=status]').waitFor();
    expect(await card.locator('p[role=status]').textContent()).toBe('Your vote is counted.');
    const after = await card.locator('[data-testid=tally]').textContent();
    expect(Number(/^(\d+) yes/.exec(after!)![1])).toBe(Number(/^(\d+) yes/.exec(before!)![1]) + 1);
    // Once voted, the card says so instead of offering the buttons again.
    expect(await card.locator('[data-testid=my-vote]').textContent()).toBe('You voted: Yes.');
    expect(await card.locator('button:has-text("Yes")').count()).toBe(0);
    expect(await page.textContent('section.card:last-of-type')).toContain('Buy a second cordless drill');
    expect(await axe(page)).toEqual([]);
    await shot(page, 'en-proposals', { fullPage: true, keep: true });
    await page.context().close();
  });

  it('discusses a proposal, blocks it citing a core value, and hands a vote on and takes it back, in Spanish', { timeout: 60_000 }, async () => {
    const page = await phone('es');
    await signIn(page, emailOf('Paula Jiménez'));
    await navTo(page, '/proposals');
    const quiet = page.locator('section.card', { hasText: 'Quiet hours at the tool shed after 8 pm' });
    await quiet.locator('[data-testid=phase]').waitFor();
    expect(await quiet.textContent()).toContain('Propuesta · Se decide por consenso');
    expect(await quiet.locator('[data-testid=phase]').textContent()).toMatch(/^Cualquiera puede bloquearla, citando un valor fundamental, hasta el /);
    // Paula voted yes on the demurrage change in the demo; that card says so.
    const demurrage = page.locator('section.card', { hasText: 'Raise demurrage to 3% a year' });
    await demurrage.locator('[data-testid=what-it-does]', { hasText: 'de 2 %' }).waitFor();
    expect(await demurrage.locator('[data-testid=what-it-does]').textContent()).toBe('Oxidación, % del saldo al año: de 2 % a 3 %');
    expect(await demurrage.locator('[data-testid=my-vote]').textContent()).toBe('Votaste: Sí.');

    // The discussion so far, and a comment of her own.
    await quiet.locator('summary:has-text("Debate (2)")').click();
    await quiet.locator('[data-testid=comments]').waitFor();
    expect(await quiet.locator('[data-testid=comments]').textContent()).toContain('Carmen Ruiz');
    await quiet.locator('textarea[name=comment]').fill('¿Y los sábados por la mañana?');
    await quiet.locator('button:has-text("Publicar")').click();
    await quiet.locator('p.ok:has-text("Publicado.")').waitFor();
    expect(await quiet.locator('[data-testid=comments] li').count()).toBe(3);
    const quietId = (await api('/proposals?status=open')).find((p: { title: string }) => p.title.startsWith('Quiet hours')).id as string;
    expect((await api(`/proposals/${quietId}/comments`)).at(-1)).toMatchObject({ name: 'Paula Jiménez', text: '¿Y los sábados por la mañana?' });

    // A block names one of the community's core values.
    await quiet.locator('button:has-text("Bloquear…")').click();
    expect(await quiet.locator('button:has-text("Bloquear esta propuesta")').isDisabled()).toBe(true);
    await quiet.locator('select[name=core-value]').selectOption('care for people');
    await quiet.locator('textarea[name=block-reason]').fill('Quien trabaja de día solo puede arreglar cosas por la tarde.');
    await quiet.locator('button:has-text("Bloquear esta propuesta")').click();
    await quiet.locator('[data-testid=my-vote]').waitFor();
    expect(await quiet.locator('[data-testid=my-vote]').textContent()).toBe('La bloqueaste, citando «care for people».');
    expect(await quiet.locator('[data-testid=tally]').textContent()).toContain('Bloqueos: 1');
    expect((await api('/proposals?status=open')).find((p: { id: string }) => p.id === quietId).currentTally).toMatchObject({ blocks: 1 });

    // Her vote on parameter changes, handed to Rosa Castillo, then taken back.
    const card = page.locator('section.card:has(#delegation-h)');
    await card.locator('select[name=delegate-topic]').selectOption('parameter');
    await card.locator('input[placeholder="Empieza a escribir un nombre"]').fill('Rosa');
    await card.locator('ul.choices button:has-text("Rosa Castillo")').click();
    await card.locator('button:has-text("Delegar mi voto")').click();
    await card.locator('[data-testid=delegations] li').first().waitFor();
    expect(await card.locator('[data-testid=delegations]').textContent()).toContain('Cambio de parámetro: Rosa Castillo vota por ti si no votas tú.');
    expect(await axe(page)).toEqual([]);
    await shot(page, 'es-proposals-discussion', { fullPage: true, keep: true });
    await card.locator('button:has-text("Recuperar")').click();
    await card.locator('p.muted:has-text("Votas tú en todos los temas.")').waitFor();
    await page.context().close();
  });

  it('puts a parameter change to the neighbourhood in Swedish, in credits, and refuses one outside its range', { timeout: 60_000 }, async () => {
    const page = await phone('sv');
    await signIn(page, emailOf('Tove Strand'));
    await navTo(page, '/proposals');
    await page.click('summary:has-text("Lägg ett förslag")');
    const form = page.locator('details:has-text("Lägg ett förslag") form');
    await form.locator('select[name=proposal-kind]').selectOption('parameter');
    await form.locator('input[name=proposal-title]').fill('Dyrare vatten i torra år');
    await form.locator('textarea[name=proposal-rationale]').fill('Brunnen sjönk i somras.');
    await form.locator('select[name=proposal-param]').selectOption('waterBasePrice');
    expect(await form.textContent()).toContain('Nu: 0,10 HC');
    await form.locator('input[name=proposal-value]').fill('0,15');
    await form.locator('button:has-text("Lägg fram för grannskapet")').click();
    await form.locator('p.ok').waitFor();
    expect(await form.locator('p.ok').textContent()).toBe('Föreslaget: det är nu öppet för diskussion och röstning.');
    const card = page.locator('section.card', { hasText: 'Dyrare vatten i torra år' });
    await card.waitFor();
    expect(await card.locator('[data-testid=what-it-does]').textContent()).toBe('Vattnets grundpris per 100 L: från 0,10 HC till 0,15 HC');
    expect(await card.textContent()).toContain('Ändrad parameter · Kräver att 70 % av rösterna är ja');
    const made = (await api('/proposals?status=open')).find((p: { title: string }) => p.title === 'Dyrare vatten i torra år');
    expect(made).toMatchObject({ kind: 'parameter', payload: { name: 'waterBasePrice', value: 15 }, mode: 'supermajority' });
    // Demurrage of 90 % a year is outside what the parameter allows: said, and nothing is proposed.
    const before = (await api('/proposals')).length;
    await form.locator('input[name=proposal-title]').fill('Mycket demurrage');
    await form.locator('select[name=proposal-param]').selectOption('demurrageRatePercent');
    await form.locator('input[name=proposal-value]').fill('90');
    await form.locator('button:has-text("Lägg fram för grannskapet")').click();
    await form.locator('p.error').waitFor();
    // Said in Swedish from the problem's stable reason code, not the hub's English.
    expect(await form.locator('p.error').textContent()).toBe('Värdet ligger utanför vad gemenskapen tillåter.');
    expect((await api('/proposals')).length).toBe(before);
    expect(await axe(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'sv-new-proposal.png'), fullPage: true });
    await page.context().close();
  });

  it('spreads points in the community budget, and the standings count them', { timeout: 60_000 }, async () => {
    const [round] = await api('/budgets');
    const before = (await api(`/budgets/${round.id}`)).standings as Array<{ projectId: string; supporters: number }>;
    const page = await phone('es');
    // Oskar has not spread his points yet (the demo's first twelve residents have).
    await signIn(page, 'oskar.lund@demo.hyphae');
    await navTo(page, '/proposals');
    await page.waitForSelector('[data-testid=points-left]');
    const [p1, p2] = round.projects as Array<{ id: string }>;
    await page.fill(`input[name=points-${p1!.id}]`, '30');
    await page.fill(`input[name=points-${p2!.id}]`, '30');
    expect(await page.textContent('[data-testid=points-left]')).toBe('Te quedan 40 de 100 puntos');
    await page.click('button:has-text("Guardar mis puntos")');
    await page.waitForSelector('p.ok:has-text("Tus puntos están guardados.")');
    const after = (await api(`/budgets/${round.id}`)).standings as Array<{ projectId: string; supporters: number }>;
    for (const id of [p1!.id, p2!.id]) expect(after.find((s) => s.projectId === id)!.supporters).toBe(before.find((s) => s.projectId === id)!.supporters + 1);
    expect(await axe(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'es-budget.png'), fullPage: true });
    await page.context().close();
  });

  it("breaks no rule of the hub's content security policy on any page of the journeys above", () => {
    expect(fx.cspViolations).toEqual([]);
  });
});
