import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { axe } from './console-axe.js';
import { consoleHub, scanQr } from './console-fixture.js';
import { emailOf } from './demo/index.js';
import { SHOTS, shot } from './screenshots.js';
import { hyphae } from './hub-process.js';

/**
 * The stewards' desk in the console: admitting and verifying, the hub's own
 * health, limit approvals and the audit log, an emergency declared and
 * ended, invites by QR code, suspension and roles, one-time passwords, and
 * the skills the neighbourhood lacks. Real Chromium on a phone-sized screen,
 * against a demo hub of this file's own (console-fixture.ts).
 */
const fx = consoleHub('hyphae-e2e-steward-');
const { phone, signIn, api, send, memberId, navTo } = fx;

describe('the console: steward', () => {
  it('a steward admits a newcomer, verifies regeneration work, sees the sensors, and declares and ends an emergency', { timeout: 60_000 }, async () => {
    const page = await phone('en');
    await signIn(page, 'steward@demo.hyphae');
    await navTo(page, '/steward');
    await page.waitForSelector('#admit-h');
    await page.waitForSelector('#devices-h ~ table tbody tr');
    expect(await page.locator('#devices-h ~ table tbody tr').count()).toBeGreaterThanOrEqual(5);
    expect(await page.textContent('#params-h ~ ul')).toContain('demurrageRatePercent');
    // The hub itself: its storage, its clock and its memory, as /health reports them.
    await page.waitForSelector('[data-testid=disk-state]');
    expect(await page.getAttribute('[data-testid=disk-state]', 'data-state')).toBe('ok');
    expect(await page.textContent('[data-testid=disk-state]')).toMatch(/Storage: room to spare.*MiB free of .*database .*MiB/s);
    expect(await page.getAttribute('[data-testid=clock-state]', 'data-state')).toBe('trusted');
    expect(await page.textContent('[data-testid=memory]')).toMatch(/^Memory: [\d.,]+ MiB in use, of which [\d.,]+ MiB/);
    // The admin asks for a floor far beyond the community's; the steward approves it from the desk.
    const admin = hyphae(['token', 'create', '--data', fx.dir, '--email', 'admin@demo.hyphae']).out.trim();
    const who = await memberId('Elin Holm');
    const asked = await fetch(`${fx.hub.url}/api/v1/accounts/${who}/limits`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ unit: 'credit', floor: -900_000 }),
    });
    expect(asked.status).toBe(202);
    await page.reload();
    await page.waitForSelector('#admit-h');
    await page.click('[data-testid=limit-approvals] [data-testid=limit-change] button:has-text("Approve")');
    await page.waitForSelector('[data-testid=limit-approvals] p.ok');
    expect((await api(`/accounts/${who}`)).floor).toBe(-900_000);
    // What stewards did with their powers, with the whole log as CSV; the chain is whole.
    await page.waitForSelector('[data-testid=audit-log] a[href="/api/v1/audit/export"]');
    expect(await page.locator('[data-testid=audit-log] [role=alert]').count()).toBe(0);
    expect(await axe(page)).toEqual([]);
    await shot(page, 'en-steward', { fullPage: true, keep: true });

    const nils = (await api('/members?status=pending')).members.find((m: { name: string }) => m.name === 'Nils Newcomer');
    await page.click('section:has(#admit-h) li:has-text("Nils Newcomer") button');
    await page.waitForSelector('p.ok:has-text("Nils Newcomer is a member now.")');
    expect((await api(`/members/${nils.id}`)).status).toBe('active');

    const [report] = await api('/regeneration?status=reported');
    const before = (await api(`/accounts/${report.memberId}`)).balance;
    await page.click('button:has-text("Verify and credit")');
    await page.waitForSelector('p.ok:has-text("Verified")');
    expect((await api(`/accounts/${report.memberId}`)).balance).toBeGreaterThan(before);

    // The demo's open maintenance ticket goes through repair and back into circulation.
    const [ticket] = await api('/library/tickets?open=true');
    await page.click(`section:has(#tickets-h) li:has-text("${ticket.title}") button:has-text("Repairing")`);
    await page.waitForSelector(`section:has(#tickets-h) li:has-text("${ticket.title}") :text("being repaired")`);
    await page.click(`section:has(#tickets-h) li:has-text("${ticket.title}") button:has-text("Fixed")`);
    await page.waitForSelector(`section:has(#tickets-h) li:has-text("${ticket.title}")`, { state: 'detached' });
    expect((await api('/library/tickets')).find((x: { id: string }) => x.id === ticket.id).state).toBe('resolved');

    await page.fill('input[name=crisis-note]', 'Storm damage on the allotments');
    await page.click('button:has-text("Declare an emergency")');
    await page.waitForSelector('p[role=alert]:has-text("Storm damage")');
    expect((await api('/crisis')).active.note).toBe('Storm damage on the allotments');
    await page.click('button:has-text("End the emergency")');
    await page.waitForSelector('p.ok:has-text("The emergency is over.")');
    expect((await api('/crisis')).active).toBeNull();

    // A dry spell: the steward raises the water price at once, in credits, with a reason; it lapses unless ratified.
    await page.click('summary:has-text("Change a parameter now, as an emergency")');
    const form = page.locator('section:has(#params-h) form');
    expect(await form.textContent()).toContain('lapses after 14 days unless a proposal ratifies it');
    await form.locator('select[name=emergency-param]').selectOption('waterBasePrice');
    await form.locator('input[name=emergency-value]').fill('0.20');
    await form.locator('input[name=emergency-reason]').fill('The well is low after a dry month');
    await form.locator('button:has-text("Put in force now")').click();
    await form.locator('p.ok').waitFor();
    expect(await form.locator('p.ok').textContent()).toMatch(/^In force now\. It lapses on .* unless a proposal ratifies it\.$/);
    expect((await api('/parameters')).find((x: { name: string }) => x.name === 'waterBasePrice')).toMatchObject({
      value: 20,
      source: expect.stringMatching(/^emergency:/),
    });
    expect(await page.textContent('section:has(#params-h) ul.rows')).toContain('Water base price per 100 L: 0.20 HC');
    // Back to the community's price, so the other journeys see the demo as it was.
    await send('POST', '/parameters/emergency', { name: 'waterBasePrice', value: 10, reason: 'e2e: the dry spell is over' });
    await page.context().close();
  });

  it('a steward invites a neighbour in Swedish with a QR code, the neighbour joins, and is suspended and reinstated; an admin changes roles', {
    timeout: 60_000,
  }, async () => {
    const desk = await phone('sv');
    await signIn(desk, 'steward@demo.hyphae');
    await navTo(desk, '/steward');
    await desk.click('a[href="#/members"]');
    await desk.waitForSelector('#invite-h');
    await desk.fill('input[name=invite-note]', 'Lena på nummer 12');
    await desk.click('button:has-text("Skapa en inbjudan")');
    await desk.waitForSelector('[data-testid=new-invite]');
    const joinUrl = (await desk.textContent('[data-testid=join-url]'))!;
    expect(await scanQr(desk, '[data-testid=join-qr]')).toBe(joinUrl);
    const code = /code=([A-Z0-9]+)/.exec(joinUrl)![1]!;
    await desk.waitForSelector(`[data-testid=open-invites] li:has-text("${code}")`);
    expect(await desk.textContent(`[data-testid=open-invites] li:has-text("${code}")`)).toContain('Lena på nummer 12');
    // A steward sees no role controls: those are an admin's.
    expect(await desk.locator('select[name^=role-]').count()).toBe(0);
    expect(await axe(desk)).toEqual([]);
    await desk.screenshot({ path: join(SHOTS, 'sv-members-invite.png'), fullPage: true });

    // The neighbour's phone scans the code and joins.
    const lena = await phone('sv');
    await lena.goto(joinUrl);
    await lena.fill('input[name=name]', 'Lena Lind');
    await lena.fill('input[name=email]', 'lena@example.org');
    await lena.fill('input[name=password]', 'lenas-password');
    await lena.click('button[type=submit]');
    await lena.waitForSelector('[data-testid=balance]');
    await lena.context().close();
    const lenaId = await memberId('Lena Lind');

    await desk.reload();
    await desk.waitForSelector('#everyone-h');
    expect(await desk.locator(`[data-testid=open-invites] li:has-text("${code}")`).count()).toBe(0);
    await desk.fill('input[name=member-q]', 'lena');
    const row = desk.locator('[data-testid=members] li[data-member="Lena Lind"]');
    // count() does not wait: the filtered list first.
    await row.waitFor();
    expect(await desk.locator('[data-testid=members] li').count()).toBe(1);
    expect(await row.textContent()).toContain('boende · aktiv');
    await row.locator('summary:has-text("Stäng av")').click();
    await row.locator(`input[name=reason-${lenaId}]`).fill('Flyttat, enligt grannarna');
    await row.locator('button:has-text("Stäng av")').click();
    await desk.waitForSelector('p.ok:has-text("Lena Lind är avstängd.")');
    expect((await api(`/members/${lenaId}`)).status).toBe('suspended');
    expect(await row.textContent()).toContain('avstängd');
    await row.locator('button:has-text("Återinsätt")').click();
    await desk.waitForSelector('p.ok:has-text("Lena Lind är aktiv igen.")');
    expect((await api(`/members/${lenaId}`)).status).toBe('active');

    // Put first in an emergency: a flag only stewards see.
    await row.locator(`input[name=vulnerable-${lenaId}]`).check();
    await desk.waitForSelector('p.ok:has-text("Lena Lind går först i ett nödläge.")');
    expect(await api('/crisis/vulnerable')).toContain(lenaId);
    await row.locator(`input[name=vulnerable-${lenaId}]`).uncheck();
    await desk.waitForSelector('p.ok:has-text("Lena Lind går inte längre först.")');
    expect(await api('/crisis/vulnerable')).not.toContain(lenaId);

    // Her credit: a limit of her own, back to the community's, and her productive capacity.
    const defaultFloor = (await api(`/accounts/${lenaId}`)).floor;
    await row.locator('summary:has-text("Kredit för Lena Lind")').click();
    const credit = row.locator('[data-testid=member-limits]');
    await credit.waitFor();
    expect(await credit.textContent()).toContain('Gemenskapens standardgräns.');
    await credit.locator(`input[name=floor-${lenaId}]`).fill('750');
    await credit.locator('button:has-text("Sätt egna gränser")').click();
    await credit.locator('p.ok:has-text("Nya gränser för Lena Lind.")').waitFor();
    expect((await api(`/accounts/${lenaId}`)).floor).toBe(-75_000);
    expect(await credit.textContent()).toContain('En förvaltare har satt en egen gräns för medlemmen.');
    await credit.locator('button:has-text("Tillbaka till gemenskapens")').click();
    await credit.locator('p.ok:has-text("Lena Lind har gemenskapens gränser igen.")').waitFor();
    expect((await api(`/accounts/${lenaId}`)).floor).toBe(defaultFloor);
    await credit.locator(`input[name=capacity-${lenaId}]`).fill('400');
    await credit.locator('button:has-text("Sätt kapacitet")').click();
    await credit.locator('p.ok:has-text("Kapaciteten för Lena Lind är satt.")').waitFor();
    expect((await api(`/accounts/${lenaId}/limit-explanation`)).capacity).toBe(40_000);
    await desk.context().close();

    const admin = await phone('sv');
    await signIn(admin, 'admin@demo.hyphae');
    await admin.goto(`${fx.hub.url}/#/members`);
    await admin.fill('input[name=member-q]', 'lena');
    await admin.selectOption(`select[name=role-${lenaId}]`, 'steward');
    await admin.waitForSelector('p.ok:has-text("Lena Lind är nu förvaltare.")');
    expect((await api(`/members/${lenaId}`)).role).toBe('steward');
    await admin.selectOption(`select[name=role-${lenaId}]`, 'resident');
    await admin.waitForSelector('p.ok:has-text("Lena Lind är nu boende.")');
    expect((await api(`/members/${lenaId}`)).role).toBe('resident');
    await admin.context().close();
  });

  it('a steward gives a resident who lost their password a one-time one, in Spanish; the resident must choose their own before anything else', {
    timeout: 60_000,
  }, async () => {
    const desk = await phone('es');
    await signIn(desk, 'steward@demo.hyphae');
    await navTo(desk, '/steward');
    await desk.click('a[href="#/members"]');
    const card = desk.locator('form:has(#reset-h)');
    await card.locator('input[placeholder]').fill('Jonas');
    await card.locator('ul.choices button:has-text("Jonas Sandberg")').click();
    await card.locator('button:has-text("Dar una contraseña de un solo uso")').click();
    const shown = card.locator('[data-testid=one-time-password]');
    await shown.waitFor();
    const oneTime = (await shown.locator('code').textContent())!;
    expect(await shown.textContent()).toBe(`Contraseña de un solo uso para Jonas Sandberg: ${oneTime} Solo se muestra ahora.`);
    await card.screenshot({ path: join(SHOTS, 'es-password-reset.png') });
    await desk.context().close();

    const page = await phone('es');
    const email = emailOf('Jonas Sandberg');
    await page.goto(`${fx.hub.url}/`);
    await page.fill('input[name=email]', email);
    await page.fill('input[name=password]', 'hyphae-demo');
    await page.click('button[type=submit]');
    await page.waitForSelector('p[role=alert]');
    await page.fill('input[name=password]', oneTime);
    await page.click('button[type=submit]');
    // Nothing else opens: no navigation, no balance, only the form to choose a password.
    await page.waitForSelector('h2:text-is("Elige tu propia contraseña")');
    expect(await page.locator('nav').count()).toBe(0);
    expect(await page.locator('[data-testid=balance]').count()).toBe(0);
    expect(await axe(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'es-must-change-password.png'), fullPage: true });
    const form = page.locator('form:has(#password-h)');
    const fill = async (current: string, next: string, again: string) => {
      await form.locator('input[name=current-password]').fill(current);
      await form.locator('input[name=new-password]').fill(next);
      await form.locator('input[name=repeat-password]').fill(again);
      await form.locator('button[type=submit]').click();
    };
    await fill(oneTime, 'mi-clave-nueva', 'mi-clave-nuev');
    await form.locator('p[role=alert]:has-text("Las dos contraseñas nuevas no coinciden.")').waitFor();
    await fill('no-es-esta', 'mi-clave-nueva', 'mi-clave-nueva');
    await form.locator('p[role=alert]:has-text("Esa no es tu contraseña actual.")').waitFor();
    await fill(oneTime, 'mi-clave-nueva', 'mi-clave-nueva');
    await page.waitForSelector('[data-testid=balance]');
    expect(await page.locator('nav').isVisible()).toBe(true);

    // Later, from My account, back to the demo's password, so other journeys can sign in as Jonas.
    await navTo(page, '/me');
    await page.waitForSelector('h2:text-is("Mi cuenta")');
    await fill('mi-clave-nueva', 'hyphae-demo', 'hyphae-demo');
    await form.locator('p[role=status]:has-text("Tu contraseña ha cambiado.")').waitFor();
    const signInAgain = await fetch(`${fx.hub.url}/api/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'hyphae-demo' }),
    });
    expect(signInAgain.status).toBe(200);
    await page.context().close();
  });

  it('shows the skills the neighbourhood lacks in Swedish: a steward marks one as needed, a resident offers to learn it; a steward notes how a decision turned out', {
    timeout: 60_000,
  }, async () => {
    const desk = await phone('sv');
    await signIn(desk, 'steward@demo.hyphae');
    await navTo(desk, '/skills');
    const gaps = desk.locator('[data-testid=skill-gaps]');
    await gaps.waitFor();
    await gaps.locator('input[name=needed-skill]').fill('Biodling');
    await gaps.locator('button:has-text("Markera som behövd")').click();
    await gaps.locator('p.ok').waitFor();
    const missing = gaps.locator('[data-testid=missing-skills] li[data-skill=biodling]');
    await missing.waitFor();
    expect((await api('/skills/gaps')).missing.map((g: { skill: string }) => g.skill)).toContain('biodling');
    await desk.context().close();

    const bengt = (await send('POST', '/members', { name: 'Bengt Bi', email: 'bengt@example.org', password: 'hyphae-demo' })).id as string;
    const page = await phone('sv');
    await signIn(page, 'bengt@example.org');
    await navTo(page, '/skills');
    const row = page.locator('[data-testid=missing-skills] li[data-skill=biodling]');
    await row.locator('button:has-text("Jag lär mig det")').click();
    await page.waitForSelector('p.ok:has-text("Noterat: du vill lära dig biodling.")');
    await row.locator('text=Kan lära sig: Bengt Bi').waitFor();
    // "du lär dig det" comes with the page's own list of what Bengt learns, reloaded after the gaps: wait for it too.
    await row.locator('text=du lär dig det').waitFor();
    expect(await row.textContent()).toContain('du lär dig det');
    expect((await api('/skills/gaps')).missing.find((g: { skill: string }) => g.skill === 'biodling').couldLearn).toContain(bengt);
    expect(await axe(page)).toEqual([]);
    await page.locator('[data-testid=skill-gaps]').screenshot({ path: join(SHOTS, 'sv-skill-gaps.png') });
    await page.context().close();

    // The decision log: why each was proposed, and how it turned out, noted by a steward later.
    const en = await phone('en');
    await signIn(en, 'steward@demo.hyphae');
    await navTo(en, '/proposals');
    const [first] = await api('/decisions');
    const entry = en.locator('section:has(h3:text-is("Decisions")) > ul.rows > li').first();
    await entry.locator('summary:has-text("Add how it turned out")').click();
    await entry.locator(`input[name=note-${first.proposal}]`).fill('Bought in May; used every week since');
    await entry.locator('button:has-text("Add how it turned out")').click();
    await entry.locator('[data-testid=outcome-notes] li:has-text("Bought in May; used every week since")').waitFor();
    expect((await api('/decisions'))[0].notes).toContain('Bought in May; used every week since');
    await en.context().close();
  });

  it("breaks no rule of the hub's content security policy on any page of the journeys above", () => {
    expect(fx.cspViolations).toEqual([]);
  });
});
