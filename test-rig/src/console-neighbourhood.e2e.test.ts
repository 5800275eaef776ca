import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { axe } from './console-axe.js';
import { consoleHub, scanQr } from './console-fixture.js';
import { SHOTS, shot } from './screenshots.js';
import { hyphae, hyphaeAsync, startHubProcess } from './hub-process.js';
import { until } from './wait.js';

/**
 * The neighbourhood in the console: sensor plots, regeneration work and its
 * credit, the water price before paying for water, what waits on the home
 * page, skills and surpluses routed by the flow engine, and a link to
 * another hub. Real Chromium on a phone-sized screen, against a demo hub of
 * this file's own (console-fixture.ts).
 */
const fx = consoleHub('hyphae-e2e-neighbourhood-');
const { phone, signIn, api, send, memberId, navTo } = fx;

describe('the console: neighbourhood', () => {
  it('shows sensor plots with data on the neighbourhood page', { timeout: 60_000 }, async () => {
    const page = await phone('en');
    await signIn(page, 'ana.lindqvist@demo.hyphae');
    await page.click('nav a[href="#/neighbourhood"]');
    await page.waitForSelector('[data-testid=plot] canvas', { timeout: 20_000 });
    const titles = await page.$$eval('figcaption', (els) => els.map((e) => e.textContent));
    expect(titles).toEqual(
      expect.arrayContaining([
        'Solar made and power used at Community centre (W, hourly), last 7 days',
        'Soil moisture (% of volume) by place',
        'Ecological multiplier',
        'Water price per 100 L (HC), as it was set',
      ]),
    );
    // Generation and use side by side, worked out from the inverter's energy counters and grid meter.
    const energy = page.locator('figure', { hasText: 'Solar made and power used' });
    expect(await energy.locator('.u-legend').textContent()).toMatch(/made.*used/);
    // Water as litres a day against the safe level, not the meter's running total.
    const water = page.locator('figure', { hasText: 'Water used per day (litres), against the safe level' });
    expect(await water.locator('.u-legend').textContent()).toMatch(/Community kitchen.*safe level/);
    // The plot really drew something: its canvas is not blank.
    const inked = await page.$eval('[data-testid=plot] canvas', (c) => {
      // In the page, so DOM types come from the browser, not this Node project.
      const cv = c as unknown as {
        width: number;
        height: number;
        getContext(k: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
      };
      const d = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) n++;
      return n;
    });
    expect(inked).toBeGreaterThan(500);
    // This month's water and CO₂e budgets, and indicators per place from the demo's mapped sensors.
    await page.waitForSelector('[data-testid=budget-water] meter');
    expect(await page.textContent('[data-testid=budget-co2e]')).toMatch(/CO₂e from grid power: [\d,]+ \/ 1,000 kg/);
    expect(await page.textContent('section:has(#places-h) tbody')).toContain('Orchard');
    // The reasons are the console's own words (so they follow the language), from the hub's numbers.
    expect(await page.textContent('[data-testid=budget-water] small')).toMatch(/^1,000 L a day of safe use × \d+ days$/);
    expect(await axe(page)).toEqual([]);
    await shot(page, 'en-neighbourhood', { fullPage: true, keep: true });
    await page.context().close();
  });

  it('reports regeneration work in Spanish, sees what it would earn, and sees it credited once a steward verifies it', { timeout: 60_000 }, async () => {
    const id = (await send('POST', '/members', { name: 'Rita Raíz', email: 'rita@example.org', password: 'hyphae-demo' })).id as string;
    const perUnit = (await api('/parameters')).find((p: { name: string }) => p.name === 'regenerationCreditPerUnit').value as number;
    const page = await phone('es');
    await signIn(page, 'rita@example.org');
    await page.click('nav a[href="#/neighbourhood"]');
    const card = page.locator('[data-testid=regen-report]');
    await card.waitFor();
    await card.locator('select[name=regen-kind]').selectOption('trees');
    await card.locator('input[name=regen-quantity]').fill('12');
    await card.locator('input[name=regen-note]').fill('Seto del huerto norte, sábado');
    const money = (minor: number) => `${new Intl.NumberFormat('es-ES', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(minor / 100)} HC`;
    expect((await card.locator('p.muted').textContent())!.replace(/\s/g, ' ')).toBe(
      `Cuando un administrador lo compruebe, 12 árboles plantados te aporta ${money(12 * perUnit)} del fondo común.`.replace(/\s/g, ' '),
    );
    await card.locator('button:has-text("Informar")').click();
    await card.locator('p.ok:has-text("Informado.")').waitFor();
    expect(await card.locator('[data-testid=my-regen] li').first().textContent()).toContain('esperando a un administrador');
    await card.screenshot({ path: join(SHOTS, 'es-regen-report.png') });
    const report = (await api('/regeneration?status=reported')).find((r: { memberId: string }) => r.memberId === id);
    expect(report).toMatchObject({ kind: 'trees', quantity: 12, note: 'Seto del huerto norte, sábado' });
    await send('POST', `/regeneration/${report.id}/verify`, { accept: true });
    await page.reload();
    await card.locator('[data-testid=my-regen] li:has-text("verificado")').waitFor();
    expect((await card.locator('[data-testid=my-regen] li').first().textContent())!.replace(/\s/g, ' ')).toContain(
      `verificado, ${money(12 * perUnit)} abonados`.replace(/\s/g, ' '),
    );
    expect((await api(`/accounts/${id}`)).balance).toBe(12 * perUnit);
    // And the home page says so, in Spanish.
    await page.click('nav a[href="#/"]');
    const note = page.locator('[data-testid=waiting] [data-testid=note]', { hasText: 'Tu trabajo regenerativo' });
    await note.waitFor();
    expect((await note.textContent())!.replace(/\s/g, ' ')).toContain(
      `Tu trabajo regenerativo (12 árboles plantados) se ha verificado: ${money(12 * perUnit)} del fondo común.`.replace(/\s/g, ' '),
    );
    await page.context().close();
  });

  it('shows the water price and its curve before a resident pays for water drawn, and charges what was shown', { timeout: 60_000 }, async () => {
    const page = await phone('en');
    await signIn(page, 'dawit.bekele@demo.hyphae');
    const me = await memberId('Dawit Bekele');
    const before = (await api(`/accounts/${me}`)).balance;
    const fundBefore = (await api('/accounts/fund')).balance;
    await page.click('nav a[href="#/neighbourhood"]');
    await page.waitForSelector('[data-testid=water-price]');
    const quote = await api('/ecology/water-quote?litres=250');
    expect(await page.textContent('[data-testid=water-price]')).toBe(`${(quote.pricePer100Litres / 100).toFixed(2)} HC per 100 L`);
    // The curve is drawn, with today's use marked on it.
    expect(await page.$$eval('[data-testid=water-curve] polyline', (els) => els.length)).toBe(1);
    expect(await page.$$eval('[data-testid=water-curve] circle', (els) => els.length)).toBe(quote.ratio === null ? 0 : 1);
    await page.fill('[data-testid=water-card] input[inputmode=numeric]', '250');
    await page.click('[data-testid=water-card] button:has-text("Review")');
    expect(await page.textContent('[data-testid=water-review]')).toBe(
      `250 L at ${(quote.pricePer100Litres / 100).toFixed(2)} HC per 100 L: you pay ${(quote.amount / 100).toFixed(2)} HC to the community fund.`,
    );
    await page.click('[data-testid=water-card] button:has-text("Confirm")');
    await page.waitForSelector('[data-testid=water-card] p.ok');
    expect((await api(`/accounts/${me}`)).balance).toBe(before - quote.amount);
    expect((await api('/accounts/fund')).balance).toBe(fundBefore + quote.amount);
    await shot(page.locator('[data-testid=water-card]'), 'en-water-price', { keep: true });
    await page.context().close();
  });

  it('shows what waits for a member on the home page in Swedish: a loan due, a hold ready, votes to cast', { timeout: 60_000 }, async () => {
    const ana = await memberId('Ana Lindqvist');
    const anaToken = hyphae(['token', 'create', '--data', fx.dir, '--email', 'ana.lindqvist@demo.hyphae']).out.trim();
    const now = Date.now();
    const free = (
      (await api(`/library/items?from=${now}&to=${now + 4 * 86_400_000}`)) as Array<{
        id: string;
        code: string;
        name: string;
        status: string;
        kind: string;
        needsInduction: boolean;
        needsApproval: boolean;
      }>
    ).filter((i) => i.status === 'available' && i.kind === 'tool' && !i.needsInduction && !i.needsApproval);
    const [due, held] = [free.at(-1)!, free.at(-2)!];
    // One tool lent to Ana until tomorrow; another lent to Bo, which Ana queues for and which comes back.
    const loan = await send('POST', `/library/items/${due.id}/checkout`, { memberId: ana, days: 1 });
    expect(loan.dueAt).toBeGreaterThan(now);
    const boLoan = await send('POST', `/library/items/${held.id}/checkout`, { memberId: await memberId('Bo Eriksson') });
    await fetch(`${fx.hub.url}/api/v1/library/items/${held.id}/holds/join`, { method: 'POST', headers: { authorization: `Bearer ${anaToken}` } });
    await send('POST', `/library/loans/${boLoan.id}/checkin`, { condition: 'good' });
    try {
      const page = await phone('sv');
      await signIn(page, 'ana.lindqvist@demo.hyphae');
      const waiting = page.locator('[data-testid=waiting]');
      await waiting.locator('[data-testid=note]').first().waitFor();
      // Loans and votes load beside the notes, each on its own: wait for them too.
      await waiting.locator('li', { hasText: `${due.code} ${due.name} ska lämnas tillbaka ` }).waitFor();
      await waiting.locator('li', { hasText: 'Förslag som väntar på din röst' }).waitFor();
      const text = (await waiting.textContent())!;
      expect(text).toContain(`${due.code} ${due.name} ska lämnas tillbaka `);
      expect(text).toMatch(/Förslag som väntar på din röst: [1-9]/);
      const note = waiting.locator('[data-testid=note]', { hasText: `${held.code} ${held.name} är redo att hämtas av dig till ` });
      expect(await note.count()).toBe(1);
      expect(await axe(page)).toEqual([]);
      await page.screenshot({ path: join(SHOTS, 'sv-home-waiting.png'), fullPage: true });
      // Dismissed once read, here and on the hub.
      await note.locator('button:has-text("Ta bort")').click();
      await note.waitFor({ state: 'detached' });
      const unread = (await (
        await fetch(`${fx.hub.url}/api/v1/notifications?unread=true`, { headers: { authorization: `Bearer ${anaToken}` } })
      ).json()) as Array<{ kind: string; params: { code?: string } }>;
      expect(unread.filter((n) => n.kind === 'hold-ready' && n.params.code === held.code)).toEqual([]);
      await page.context().close();
    } finally {
      await send('POST', `/library/loans/${loan.id}/checkin`, { condition: 'good' });
    }
  });

  it('declares a skill and offers time, then posts a surplus and consents to where the engine sends it', { timeout: 60_000 }, async () => {
    const page = await phone('sv');
    await signIn(page, 'elin.holm@demo.hyphae');
    const elin = await memberId('Elin Holm');
    await navTo(page, '/skills');
    await page.waitForSelector('#my-skills-h');
    await page.fill('input[name=skill]', 'sourdough baking');
    await page.selectOption('select[name=level]', '4');
    await page.check('label.check input');
    await page.click('button:has-text("Lägg till kunskapen")');
    await page.waitForSelector('p.ok:has-text("Sparat.")');
    expect((await api(`/members/${elin}/skills`)).skills).toContainEqual(expect.objectContaining({ skill: 'sourdough baking', level: 4, teach: true }));
    await page.fill('input[name=time-title]', 'Sourdough starter and a lesson');
    await page.fill('input[name=time-category]', 'food');
    await page.fill('input[name=time-hours]', '1,5');
    await page.click('section:has(#timebank-h) button:has-text("Publicera")');
    await page.waitForSelector('[data-testid=time-post]:has-text("Sourdough starter")');
    expect((await api('/timebank')).find((o: { title: string }) => o.title === 'Sourdough starter and a lesson')).toMatchObject({
      kind: 'offer',
      hours: 150,
      owner: elin,
    });
    expect(await axe(page)).toEqual([]);
    await shot(page, 'sv-skills', { fullPage: true, keep: true });

    // The community kitchen needs more food than the board has spare, so Elin's apples will be wanted.
    await fetch(`${fx.hub.url}/api/v1/board/posts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fx.steward}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'need', resource: 'food', title: 'Soup for the kitchen', quantity: 60 }),
    });
    await navTo(page, '/share');
    await page.waitForSelector('#board-h');
    await page.selectOption('select[name=post-kind]', 'surplus');
    await page.selectOption('select[name=post-resource]', 'food');
    await page.fill('input[name=post-title]', 'Apples from the old tree');
    await page.fill('input[name=post-quantity]', '12');
    await page.click('section:has(#board-h) button:has-text("Publicera")');
    // Said under the form, where the button was pressed.
    await page.waitForSelector('section:has(#board-h) p.ok');
    await page.waitForSelector('#proposed-h');
    await page.click('section:has(#proposed-h) button:has-text("Samtyck")');
    await page.waitForSelector('p.ok');
    // The page may show an earlier confirmation before the consent is answered: wait for the hub's word.
    const mine = async () =>
      ((await api('/flow/proposals?all=true')) as Array<{ supplier: string; supplierAccepted: boolean }>).filter((p) => p.supplier === elin);
    await until(async () => (await mine()).some((p) => p.supplierAccepted), "Elin's consent to be recorded", { timeoutMs: 10_000, everyMs: 100 });
    expect((await mine()).length).toBeGreaterThan(0);
    expect(await axe(page)).toEqual([]);
    await shot(page, 'sv-share', { fullPage: true, keep: true });
    await page.context().close();
  });

  it('links another hub from the console, accepts its new terms, and a resident pays one of its members', { timeout: 90_000 }, async () => {
    const otherDir = mkdtempSync(join(tmpdir(), 'hyphae-e2e-other-'));
    const other = await startHubProcess({ dataDir: otherDir, env: { HYPHAE_ADMIN_EMAIL: 'admin@other.example', HYPHAE_ADMIN_PASSWORD: 'other-hub-admin' } });
    try {
      const otherToken = hyphae(['token', 'create', '--data', otherDir, '--email', 'admin@other.example']).out.trim();
      const callOther = async (method: string, path: string, body?: unknown) =>
        (
          await fetch(`${other.url}/api/v1${path}`, {
            method,
            headers: { authorization: `Bearer ${otherToken}`, 'content-type': 'application/json' },
            body: body === undefined ? undefined : JSON.stringify(body),
          })
        ).json() as Promise<any>;
      const otherMember = (await callOther('POST', '/members', { name: 'Dana Far', email: 'dana@other.example' })).id as string;
      const otherHubId = (await callOther('GET', '/health')).hubId as string;
      const { token } = await callOther('POST', '/federation/invitations', { trustOut: 100_000, trustIn: 100_000 });

      const page = await phone('en');
      await signIn(page, 'steward@demo.hyphae');
      await navTo(page, '/links');
      await page.waitForSelector('#peer-h');
      await page.fill('input[name=invitation]', token);
      await page.click('button:has-text("Accept and link")');
      await page.waitForSelector('p.ok:has-text("Linked.")');
      await page.waitForSelector('[data-testid=link-status]');
      expect(await page.textContent('[data-testid=link-status]')).toBe('open');
      // The link message is out; our first summary may have followed it already, depending on the timer.
      expect(await page.textContent('article.link')).toMatch(/Chain heads.*↑[12] [0-9a-f]{10}/);

      // The other hub proposes a new rate; it is in force there only once our steward accepts here.
      const demoHubId = (await api('/health')).hubId as string;
      await until(async () => (await callOther('GET', '/federation/links')).links.some((l: any) => l.hubId === demoHubId), 'the other hub to see our link');
      await callOther('PUT', `/federation/links/${demoHubId}/terms`, { rate: { num: 1, den: 2 } });
      await until(async () => Boolean((await api('/federation/links')).links[0].pendingTerms), 'their proposed terms to reach us');
      await page.reload();
      await page.waitForSelector('button:has-text("Accept the new terms")');
      expect(await page.textContent('article.link')).toContain('They propose a new rate: 2 HC per 1 HC.');
      expect(await axe(page)).toEqual([]);
      await shot(page, 'en-links', { fullPage: true, keep: true });
      await page.click('button:has-text("Accept the new terms")');
      await page.waitForSelector('p.ok:has-text("Done.")');
      await until(async () => (await callOther('GET', '/federation/links')).links[0].rate.den === 2, 'our acceptance to reach the other hub');
      expect((await callOther('GET', '/federation/links')).links[0].rate).toEqual({ num: 1, den: 2 });
      // An invitation from this hub shows as a QR code that scans back to the token.
      await page.click('button:has-text("Make an invitation")');
      await page.waitForSelector('[data-testid=invite-qr]');
      const shown = await page.textContent('[data-testid=invite-token]');
      const scanned = await scanQr(page, '[data-testid=invite-qr]');
      expect(scanned).toBe(shown);

      // Our steward proposes a 1.5 % fee for passing payments on; it waits for the other hub's answer.
      await page.click('article.link summary');
      await page.fill(`input[name=fee-${otherHubId}]`, '1,5');
      await page.click('button:has-text("Send to the other hub")');
      await page.waitForSelector('p.ok:has-text("take effect when the other hub accepts")');
      await until(async () => Boolean((await callOther('GET', '/federation/links')).links[0].pendingTerms), 'our proposed fee to reach the other hub');
      expect((await callOther('GET', '/federation/links')).links[0].pendingTerms).toMatchObject({ proposedBy: 'them', feePpm: 15_000 });
      await page.context().close();

      // A resident pays across: 10.00 of ours is 20.00 of theirs at the accepted rate.
      const resident = await phone('sv');
      await signIn(resident, 'ana.lindqvist@demo.hyphae');
      await navTo(resident, '/links');
      await resident.waitForSelector('#xpay-h');
      expect(await resident.textContent('#xpay-h')).toBe('Betala någon i ett annat grannskap');
      await resident.fill('input[name=to]', `${otherMember}@${otherHubId}`);
      await resident.fill('input[name=amount]', '10');
      await resident.click('button:has-text("Skicka")');
      await resident.waitForSelector('p.ok');
      await until(async () => (await callOther('GET', `/accounts/${otherMember}`)).balance === 2000, 'the payment to arrive at the other hub');
      expect((await callOther('GET', `/accounts/${otherMember}`)).balance).toBe(2000);
      expect(await axe(resident)).toEqual([]);
      await resident.screenshot({ path: join(SHOTS, 'sv-links.png'), fullPage: true });
      // At home the payment reads as going to another neighbourhood, not to an internal account id.
      await resident.click('nav a[href="#/"]');
      await resident.waitForSelector('section[aria-labelledby=recent] .rows li');
      const recent = await resident.textContent('section[aria-labelledby=recent] .rows');
      expect(recent).toContain('ett annat grannskap');
      expect(recent).not.toContain('clearing:');
      await resident.context().close();

      // Our backups now go to the hub we linked, and the stewards' page says so; the other hub's stewards see what they keep for us.
      const admin = (await hyphaeAsync(['token', 'create', '--data', fx.dir, '--email', 'admin@demo.hyphae'])).out.trim();
      const asAdmin = (method: string, path: string, body?: unknown) =>
        fetch(`${fx.hub.url}/api/v1${path}`, {
          method,
          headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      expect((await asAdmin('PUT', '/backups/passphrase', { passphrase: 'moss on the north side' })).status).toBe(204);
      const made = (await (await asAdmin('POST', '/backups')).json()) as { file: string };
      await until(
        async () => (await api('/backups')).peers.some((p: { hubId: string; file: string | null }) => p.hubId === otherHubId && p.file === made.file),
        'the linked hub to keep our backup',
        { timeoutMs: 20_000, everyMs: 200 },
      );
      const desk = await phone('en');
      await signIn(desk, 'steward@demo.hyphae');
      await navTo(desk, '/steward');
      const peerLine = desk.locator('[data-testid=backup-peer]');
      await peerLine.waitFor();
      expect(await peerLine.textContent()).toMatch(/^Kept by Hyphae hub: last one /);
      expect(await peerLine.getAttribute('data-overdue')).toBe('false');
      expect((await callOther('GET', '/backups')).kept).toEqual([expect.objectContaining({ hubId: demoHubId, count: 1 })]);
      expect(await axe(desk)).toEqual([]);
      await desk.locator('[data-testid=backups]').screenshot({ path: join(SHOTS, 'en-backups.png') });
      await desk.context().close();
    } finally {
      await other.stop();
      rmSync(otherDir, { recursive: true, force: true });
    }
  });

  it("breaks no rule of the hub's content security policy on any page of the journeys above", () => {
    expect(fx.cspViolations).toEqual([]);
  });
});
