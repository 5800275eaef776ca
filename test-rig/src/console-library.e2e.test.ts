import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { axe } from './console-axe.js';
import { consoleHub } from './console-fixture.js';
import { emailOf } from './demo/index.js';
import { hyphae } from './hub-process.js';
import { SHOTS, shot } from './screenshots.js';

/**
 * The tool library in real Chromium on a 390 × 844 phone, against a demo hub
 * of its own: browsing, booking a space by the hour, queues, adding an item
 * with a photo, looking after an item, the desk on an item's page, and how
 * the library is used.
 */
const fx = consoleHub('hyphae-e2e-library-');
const { phone, signIn, api, send, memberId, navTo } = fx;

describe('the tool library in Chromium', () => {
  it('browses the tool library in Swedish by category and what is free now, with photos', { timeout: 60_000 }, async () => {
    // A steward has photographed one power tool.
    const tools = (await api('/library/items?category=power%20tools')) as Array<{ id: string; code: string; name: string }>;
    const pictured = tools[0]!;
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
    const up = await fetch(`${fx.hub.url}/api/v1/library/items/${pictured.id}/photos`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fx.steward}`, 'content-type': 'image/png' },
      body: png,
    });
    expect(up.status).toBe(201);
    const page = await phone('sv');
    await signIn(page, emailOf('Karin Nyström'));
    await page.click('nav a[href="#/library"]');
    await page.waitForSelector('[data-testid=catalogue] li');
    await page.selectOption('select[name=category]', 'power tools');
    await page.waitForFunction((n) => (globalThis as any).document.querySelectorAll('[data-testid=catalogue] li').length === n, tools.length);
    const rows = await page.$$eval('[data-testid=catalogue] li', (els) => els.map((e) => e.textContent ?? ''));
    expect(rows.every((r) => r.includes('power tools'))).toBe(true);
    // Its photo shows beside it in the list, and it loads.
    const thumb = page.locator(`[data-testid=catalogue] li:has(a[href="#/library/${pictured.code}"]) img.thumb`);
    await thumb.waitFor();
    expect(
      await thumb.evaluate(
        (img) => (img as unknown as { complete: boolean; naturalWidth: number }).complete && (img as unknown as { naturalWidth: number }).naturalWidth,
      ),
    ).toBe(1);
    // Free now: nothing that is out on loan or in repair.
    await page.check('input[name=free-now]');
    await page.waitForFunction(
      () => ![...(globalThis as any).document.querySelectorAll('[data-testid=catalogue] li')].some((li: any) => /utlånad|på reparation/.test(li.textContent)),
    );
    const free = await page.$$eval('[data-testid=catalogue] li', (els) => els.length);
    expect(free).toBeGreaterThan(0);
    expect(free).toBeLessThanOrEqual(tools.length);
    expect(await axe(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'sv-library-filters.png'), fullPage: true });
    await page.context().close();
  });

  it('books the community hall by the hour in Swedish, sees the booking, is refused an overlap, cancels; queues for a busy tool, lets the next go first, leaves', {
    timeout: 60_000,
  }, async () => {
    // Someone new, so no demo booking or place in a queue is theirs already.
    const karin = (await send('POST', '/members', { name: 'Karin Kö', email: 'karin.ko@example.org', password: 'hyphae-demo' })).id as string;
    const page = await phone('sv');
    await signIn(page, 'karin.ko@example.org');
    await page.goto(`${fx.hub.url}/#/library/S-0001`);
    await page.waitForSelector('select[name=slot-from]');
    // Tomorrow evening is the demo's repair café: the form says so for that day.
    const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
    const cafe = (await api('/library/items/S-0001')).busy[0];
    const hhmm = (ms: number) => new Intl.DateTimeFormat('sv', { timeStyle: 'short' }).format(new Date(ms));
    await page.fill('input[name=start]', new Date(cafe.from).toISOString().slice(0, 10));
    await page.waitForSelector(`[data-testid=booked-that-day]:has-text("${hhmm(cafe.from)}–${hhmm(cafe.to)}")`);
    // An evening's booking leaves the rest of the day free: the calendar says "partly booked", not "booked".
    expect(await page.locator('ol.calendar li.partly').first().textContent()).toContain('delvis bokad');
    expect(await page.locator('ol.calendar li.busy').count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'sv-hall-booking.png'), fullPage: true });

    await page.fill('input[name=start]', day(3));
    await page.selectOption('select[name=slot-from]', '10:00');
    await page.selectOption('select[name=slot-to]', '12:00');
    await page.click('button:has-text("Boka")');
    await page.waitForSelector('form p.ok:has-text("Bokat.")'); // under the booking form, where its button is
    const mine = (await (
      await fetch(`${fx.hub.url}/api/v1/library/reservations`, {
        headers: { authorization: `Bearer ${hyphae(['token', 'create', '--data', fx.dir, '--email', 'karin.ko@example.org']).out.trim()}` },
      })
    ).json()) as Array<{ id: string; from: number; to: number; status: string }>;
    const booked = mine.find((r) => r.status === 'booked')!;
    // In the phone's own time: 10:00 to 12:00 on that day.
    expect([booked.from, booked.to]).toEqual([new Date(`${day(3)}T10:00`).getTime(), new Date(`${day(3)}T12:00`).getTime()]);
    await page.selectOption('select[name=slot-from]', '11:00');
    await page.selectOption('select[name=slot-to]', '13:00');
    await page.click('button:has-text("Boka")');
    await page.waitForSelector('p[role=alert]');
    await page.selectOption('select[name=slot-to]', '09:00');
    await page.click('button:has-text("Boka")');
    await page.waitForSelector('p[role=alert]:has-text("Slutet måste komma efter starten.")');

    await page.click('a[href="#/library"]');
    const bookings = page.locator('[data-testid=my-bookings] li');
    await bookings.first().waitFor();
    expect(await bookings.count()).toBe(1);
    expect(await bookings.first().textContent()).toContain('S-0001');
    await bookings.first().locator('button:has-text("Avboka")').click();
    await page.waitForSelector('p.ok:has-text("Bokningen är avbokad.")');
    expect(await page.locator('[data-testid=my-bookings]').count()).toBe(0);
    expect((await api('/library/items/S-0001')).busy.some((b: { from: number }) => b.from === booked.from)).toBe(false);

    // The drill everyone wants: join its queue, let the next go first, then leave.
    const drill = (await api('/library/items?q=drill')).find((i: { code: string }) => i.code === 'T-0001');
    expect(drill).toBeTruthy();
    await page.goto(`${fx.hub.url}/#/library/T-0001`);
    await page.click('button:has-text("Ställ dig i kö")');
    const place = page.locator('[data-testid=my-place]');
    const queue = async () => (await api('/library/items/T-0001/holds')).map((h: { memberId: string }) => h.memberId);
    await place.waitFor();
    const before = await queue();
    expect(await place.textContent()).toContain(`Du är nummer ${before.indexOf(karin) + 1} av ${before.length} i kön.`);
    await send('POST', '/library/items/T-0001/holds/join', {});
    await page.reload();
    await place.waitFor();
    await place.locator('button:has-text("Låt nästa gå före")').click();
    await page.waitForSelector('p.ok:has-text("Nästa person går före")');
    const after = await queue();
    expect(after.indexOf(karin)).toBe(before.indexOf(karin) + 1);
    await place.locator('button:has-text("Lämna kön")').click();
    await page.waitForSelector('p.ok:has-text("Du har lämnat kön.")');
    expect(await queue()).not.toContain(karin);
    await send('POST', '/library/items/T-0001/holds/leave', {});
    await page.context().close();
  });

  it("a steward adds an item with a photo from the phone's camera, shrunk to fit the hub, and it is in the catalogue", { timeout: 60_000 }, async () => {
    const page = await phone('en');
    await signIn(page, 'steward@demo.hyphae');
    await page.click('nav a[href="#/library"]');
    // A camera photo: 3000 × 2000 pixels of noise, which no encoder can make small.
    const png = Buffer.from(
      await page.evaluate(async () => {
        const w = globalThis as any;
        const c = w.document.createElement('canvas');
        c.width = 3000;
        c.height = 2000;
        const g = c.getContext('2d');
        const img = g.createImageData(3000, 2000);
        for (let i = 0; i < img.data.length; i++) img.data[i] = i % 4 === 3 ? 255 : (Math.random() * 256) | 0;
        g.putImageData(img, 0, 0);
        const blob: any = await new Promise((r) => c.toBlob(r, 'image/png'));
        const bytes = new Uint8Array(await blob.arrayBuffer());
        let s = '';
        for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
        return w.btoa(s);
      }),
      'base64',
    );
    expect(png.length).toBeGreaterThan(4 * 1024 * 1024);
    await page.click('summary:has-text("Add an item to the catalogue")');
    const form = page.locator('[data-testid=add-item]');
    await form.locator('input[name=name]').fill('Apple press');
    await form.locator('input[name=category]').fill('kitchen');
    await form.locator('input[name=location]').fill('Shed B');
    await form.locator('input[name=deposit]').fill('20');
    await form.locator('input[name=fee]').fill('2');
    await form.locator('input[name=photo]').setInputFiles({ name: 'IMG_2041.png', mimeType: 'image/png', buffer: png });
    await form.locator('button:has-text("Add to the catalogue")').click();
    await page.waitForSelector('h2:has-text("Apple press")');
    const code = (await page.textContent('h2'))!.trim().split(/\s/)[0]!;
    const item = (await api(`/library/items/${code}`)).item;
    expect(item).toMatchObject({ name: 'Apple press', category: 'kitchen', location: 'Shed B', deposit: 2000, fee: 200, kind: 'tool' });
    expect(item.photos).toHaveLength(1);
    const photo = await fetch(`${fx.hub.url}/api/v1/library/photos/${item.photos[0]}`, { headers: { authorization: `Bearer ${fx.steward}` } });
    expect(photo.headers.get('content-type')).toBe('image/jpeg');
    expect((await photo.arrayBuffer()).byteLength).toBeLessThanOrEqual(512 * 1024);
    expect(await page.locator(`img[src="/api/v1/library/photos/${item.photos[0]}"]`).count()).toBe(1);
    await page.click('a[href="#/library"]');
    await page.waitForSelector(`[data-testid=catalogue] li:has-text("${code} Apple press")`);
    await page.context().close();
  });

  it('a steward looks after an item in Swedish: reorders its queue, records a safety induction, sets a maintenance plan, and reads its history', {
    timeout: 60_000,
  }, async () => {
    // Before signing in, so the console's directory of names has them.
    const learner = (await send('POST', '/members', { name: 'Ivar Inskolad', email: 'ivar@example.org', password: 'hyphae-demo' })).id as string;
    const page = await phone('sv');
    await signIn(page, 'steward@demo.hyphae');
    // The demo's drill has two people waiting.
    await page.goto(`${fx.hub.url}/#/library/T-0001`);
    const box = page.locator('[data-testid=item-stewarding]');
    await box.locator('[data-testid=queue] li').nth(1).waitFor();
    const before = (await api('/library/items/T-0001/holds')).map((h: { memberId: string }) => h.memberId);
    const second = (await api(`/members/${before[1]}`)).name;
    await box.locator(`button[aria-label="Flytta upp ${second}"]`).click();
    await box.locator('p.ok:has-text("Kön har sin nya ordning.")').waitFor();
    expect((await api('/library/items/T-0001/holds')).map((h: { memberId: string }) => h.memberId)).toEqual([before[1], before[0], ...before.slice(2)]);
    expect(await box.locator('[data-testid=queue] li').first().textContent()).toContain(second);

    await box.locator('input[name=plan-every]').fill('10');
    await box.locator('input[name=plan-task]').fill('Byt kol i motorn');
    await box.locator('button:has-text("Spara planen")').click();
    await box.locator('p.ok:has-text("Planen sparad")').waitFor();
    expect((await api('/library/items/T-0001')).item.plan).toEqual({ everyLoans: 10, task: 'Byt kol i motorn' });

    await box.locator('summary:has-text("Sakens historik")').click();
    expect(await box.locator('[data-testid=item-history] li').first().textContent()).toMatch(/Sam Steward: uppgifter ändrade$/);
    expect(await box.locator('[data-testid=item-history]').textContent()).toContain('Sam Steward: kön ordnad om');
    expect(await axe(page)).toEqual([]);
    await box.screenshot({ path: join(SHOTS, 'sv-item-stewarding.png') });

    // An item that needs a safety induction: nobody borrows it before one is recorded.
    const needs = (await api('/library/items')).find((i: { needsInduction: boolean; status: string }) => i.needsInduction && i.status === 'available');
    expect(needs).toBeTruthy();
    await page.goto(`${fx.hub.url}/#/library/${needs.code}`);
    const form = page.locator('[data-testid=item-stewarding] form:has(h4:text-is("Säkerhetsgenomgång"))');
    await form.locator('input[placeholder]').fill('Ivar');
    await form.locator('ul.choices button:has-text("Ivar Inskolad")').click();
    await form.locator('button:has-text("Registrera genomgången")').click();
    await page.waitForSelector('p.ok:has-text("Ivar Inskolad får låna den nu.")');
    const loan = await send('POST', `/library/items/${needs.id}/checkout`, { memberId: learner });
    expect(loan.id).toBeTruthy();
    await send('POST', `/library/loans/${loan.id}/checkin`, { condition: 'good' });
    await page.context().close();
  });

  it('reserves a tool, and a steward checks it out at the desk', { timeout: 60_000 }, async () => {
    const resident = await phone('en');
    await signIn(resident, 'dawit.bekele@demo.hyphae');
    await resident.click('nav a[href="#/library"]');
    // The demo's loans follow the clock, so pick a tool that is free from now until after the default booking.
    const free = await resident.evaluate(async () => {
      const now = Date.now();
      const items = (await (await fetch(`/api/v1/library/items?from=${now}&to=${now + 4 * 86_400_000}`)).json()) as Array<{
        code: string;
        name: string;
        status: string;
        kind: string;
        needsInduction: boolean;
        needsApproval: boolean;
      }>;
      // A tool that needs an induction or approval would (rightly) be refused at the desk.
      const tool = items.find((i) => i.status === 'available' && i.kind === 'tool' && !i.needsInduction && !i.needsApproval)!;
      return { name: tool.name, code: tool.code };
    });
    await resident.fill('input[type=search]', free.name);
    // By its code: a name can be part of another's ("has-text" matches any part, in any case).
    await resident.click(`a[href="#/library/${free.code}"]`);
    await resident.waitForSelector('ol.calendar li');
    await resident.click('button:has-text("Reserve")');
    // Either outcome ends the wait, so a refusal fails here with the hub's reason.
    await resident.waitForSelector('p[role=status], p[role=alert]');
    const said = await resident.textContent('form p[role=status], form p[role=alert]');
    // A refusal says what the hub holds on that item around those dates, so that a failure explains itself.
    const held =
      said === 'Reserved.'
        ? ''
        : await resident.evaluate(async (code) => {
            const now = Date.now();
            const r = await fetch(`/api/v1/library/items/${code}?from=${now - 86_400_000}&to=${now + 5 * 86_400_000}`);
            return `${code}, the phone's clock at ${new Date(now).toISOString()}: ${JSON.stringify(((await r.json()) as { busy: unknown }).busy)}`;
          }, free.code);
    expect(said, held).toBe('Reserved.');
    expect(await resident.$$eval('ol.calendar li.busy', (l) => l.length)).toBeGreaterThanOrEqual(2);
    await shot(resident, 'en-library-item', { fullPage: true, keep: true });

    const desk = await phone('en');
    await signIn(desk, 'steward@demo.hyphae');
    await desk.goto(`${fx.hub.url}/#/library/${free.code}`);
    await desk.waitForSelector('#desk');
    // The member is picked by name: the picker offers names once they have arrived, and the click waits for them.
    await desk.fill('section:has(#desk) input[placeholder]', 'Dawit');
    await desk.click('section:has(#desk) [role=listbox] button:has-text("Dawit Bekele")');
    // Condition is recorded at both ends of the loan.
    await desk.selectOption('select[name=condition]', 'fair');
    await desk.click('button:has-text("Check out")');
    // The result shows under the desk's button, where the steward is looking.
    await desk.waitForSelector('section:has(#desk) p[role=status], section:has(#desk) p[role=alert]');
    expect(await desk.textContent('section:has(#desk) p[role=status], section:has(#desk) p[role=alert]')).toBe('Checked out.');

    await resident.click('a:has-text("Tools")');
    await resident.waitForSelector('[data-testid=my-loans]');
    expect(await resident.textContent('[data-testid=my-loans]')).toContain(free.name);

    // Back at the desk: it came back worse, and the damage is charged against the deposit.
    const dawit = await memberId('Dawit Bekele');
    const loan = ((await api('/library/loans?open=true&all=true')) as Array<{ id: string; memberId: string; conditionOut: string; deposit: number }>).find(
      (l) => l.memberId === dawit && l.conditionOut === 'fair',
    )!;
    expect(loan.deposit).toBeGreaterThan(100);
    await desk.waitForSelector('button:has-text("Check in")');
    expect(await desk.textContent('section:has(#desk)')).toContain('Out with Dawit Bekele, due');
    await desk.selectOption('select[name=condition]', 'poor');
    // A charge above the deposit is refused, and the refusal is said beside the Check-in button.
    await desk.fill('input[name=damage]', String(loan.deposit / 100 + 1));
    await desk.click('button:has-text("Check in")');
    await desk.waitForSelector('section:has(#desk) p[role=alert]');
    expect(await desk.textContent('section:has(#desk) p[role=alert]')).toMatch(/deposit/i);
    await desk.fill('input[name=damage]', '1.00');
    await desk.fill('input[name=checkin-note]', 'chipped blade');
    expect(await axe(desk)).toEqual([]);
    await shot(desk, 'en-tool-desk', { fullPage: true, keep: true });
    const balance = (await api(`/accounts/${dawit}`)).balance as number;
    await desk.click('button:has-text("Check in")');
    await desk.waitForSelector('section:has(#desk) p.ok:has-text("Checked in")');
    const back = (
      (await api('/library/loans?all=true')) as Array<{ id: string; conditionIn: string | null; damageCharged: number; returnedAt: number | null }>
    ).find((l) => l.id === loan.id)!;
    expect(back).toMatchObject({ conditionIn: 'poor', damageCharged: 100 });
    expect(back.returnedAt).not.toBeNull();
    expect((await api(`/accounts/${dawit}`)).balance).toBe(balance + loan.deposit - 100);
    await desk.context().close();

    // Dawit reports what is wrong with it in his own words; an empty report cannot be sent.
    await resident.goto(`${fx.hub.url}/#/library/${free.code}`);
    await resident.click('summary:has-text("Report a problem")');
    expect(await resident.isDisabled('button:has-text("Report it")')).toBe(true);
    await resident.fill('textarea[name=problem]', 'The chuck slips under load');
    await resident.click('button:has-text("Report it")');
    await resident.waitForSelector('p.ok:has-text("a steward will look at it")');
    expect(((await api('/library/tickets?open=true')) as Array<{ title: string }>).map((x) => x.title)).toContain('The chuck slips under load');
    await resident.context().close();
  });

  it('shows a steward in Swedish how the library is used: a plot by week and by month, what to buy another of, what sits idle', {
    timeout: 60_000,
  }, async () => {
    const page = await phone('sv');
    await signIn(page, 'steward@demo.hyphae');
    await navTo(page, '/steward');
    const card = page.locator('[data-testid=library-use]');
    await card.locator('canvas').first().waitFor();
    const use = await api('/library/utilisation?days=84&bucketDays=7');
    expect(await card.locator('figcaption').textContent()).toBe('Tid utlånad, % av varje vecka');
    // The plot's legend names all items and the busiest categories.
    const legend = await card.locator('.u-legend').textContent();
    expect(legend).toContain('Alla saker');
    const busiest = [...use.categories].sort((a: { loans: number }, b: { loans: number }) => b.loans - a.loans)[0].category;
    expect(legend).toContain(busiest);
    // What to buy another of names the item and why, with Swedish numbers.
    expect(use.overDemanded.length).toBeGreaterThan(0);
    const first = use.items.find((i: { code: string }) => i.code === use.overDemanded[0]);
    const why = await card.locator('[data-testid=over-demanded] li').first().textContent();
    expect(why).toContain(`${first.code} ${first.name}`);
    expect(why).toContain(
      `utlånad ${new Intl.NumberFormat('sv-SE', { maximumFractionDigits: 1 }).format(first.utilisation)} % av tiden · ${first.queue} väntar`,
    );
    expect(await card.locator('[data-testid=idle]').textContent()).toContain(use.idle[0]);
    // The table by category carries the hub's figures.
    const row = card.locator(`[data-testid=use-by-category] tr:has(th:text-is("${busiest}"))`);
    const c = use.categories.find((x: { category: string }) => x.category === busiest);
    expect((await row.locator('td').allTextContents()).map((x) => x.replace(/\s/g, ' '))).toEqual([
      String(c.items),
      String(c.loans),
      new Intl.NumberFormat('sv-SE', { maximumFractionDigits: 1 }).format(c.daysOut).replace(/\s/g, ' '),
      `${new Intl.NumberFormat('sv-SE', { maximumFractionDigits: 1 }).format(c.utilisation)} %`.replace(/\s/g, ' '),
    ]);
    // The catalogue, the loans and the skills download as CSV, with the steward's own session.
    for (const [text, header] of [
      ['Katalogen (CSV)', /^code,kind,name,category/],
      ['Alla lån (CSV)', /^id,/],
      ['Kunskaper (CSV)', /^member/],
    ] as const) {
      const href = (await card.locator(`a:has-text("${text}")`).getAttribute('href'))!;
      const got = await page.evaluate(async (h) => {
        const r = await fetch(h);
        return { status: r.status, type: r.headers.get('content-type'), body: await r.text() };
      }, href);
      expect(got.status, href).toBe(200);
      expect(got.type).toContain('text/csv');
      expect(got.body).toMatch(header);
    }
    await card.scrollIntoViewIfNeeded();
    await card.screenshot({ path: join(SHOTS, 'sv-library-use.png') });
    // A year by month: the plot is drawn again from the monthly report.
    await card.locator('select[name=use-span]').selectOption('months');
    await page.waitForFunction(
      () => (globalThis as any).document.querySelector('[data-testid=library-use] figcaption')?.textContent === 'Tid utlånad, % av var 30:e dag',
    );
    await card.locator('canvas').first().waitFor();
    expect(await axe(page)).toEqual([]);
    await page.context().close();
  });

  it("breaks no rule of the hub's content security policy on any page of the journeys above", () => {
    expect(fx.cspViolations).toEqual([]);
  });
});
