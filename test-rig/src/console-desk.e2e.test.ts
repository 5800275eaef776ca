import { type Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axe } from './console-axe.js';
import { consoleHub } from './console-fixture.js';
import { shot } from './screenshots.js';
import { apiAs } from './wait.js';

/**
 * The tool desk on a steward's phone, in real Chromium against a demo hub:
 * labels printed from the hub, one of them photographed and read at the desk
 * (jsQR here: Linux Chromium has no BarcodeDetector), then the member, the
 * condition and one button; and the same item found again by its typed code
 * to take it back.
 */
const fx = consoleHub('hyphae-desk-');
/** The API as the steward, with the status beside the answer. */
const as = (method: string, path: string, body?: unknown) => apiAs(fx.hub.url, fx.steward)(method, path, body);

async function steward(lang: string, scale = 1): Promise<Page> {
  const page = await fx.phone(lang);
  await fx.signIn(page, 'steward@demo.hyphae');
  if (scale !== 1) await page.evaluate((pc) => ((globalThis as any).document.documentElement.style.fontSize = pc), `${scale * 100}%`);
  return page;
}

/** Where a control sits and how big it is, against the screen. */
async function box(page: Page, selector: string) {
  const b = (await page.locator(selector).first().boundingBox())!;
  return { ...b, screen: page.viewportSize()! };
}

describe('the tool desk, one-handed', () => {
  it('prints labels, reads one from a photo, lends the tool in three steps and takes it back by its typed code', { timeout: 90_000 }, async () => {
    const items = (await as('GET', '/api/v1/library/items')).json as Array<{
      id: string;
      code: string;
      name: string;
      status: string;
      kind: string;
      needsApproval?: boolean;
      needsInduction?: boolean;
    }>;
    const tool = items.find((i) => i.status === 'available' && i.kind === 'tool' && !i.needsApproval && !i.needsInduction)!;
    const dawit = (await as('GET', '/api/v1/members?q=Dawit')).json.members[0].id as string;

    const page = await steward('es');
    await page.goto(`${fx.hub.url}/#/library`);
    await page.click('[data-testid=desk-links] a[href="#/labels"]');
    // The labels: one per item in circulation, each with its code under a QR code.
    const label = page.locator(`li.label[data-code="${tool.code}"]`);
    await label.waitFor();
    expect(await page.locator('li.label').count()).toBe(items.filter((i) => i.status !== 'retired').length);
    expect(await label.locator('strong').textContent()).toBe(tool.code);
    expect(await axe(page)).toEqual([]);
    await shot(page, 'es-labels', { keep: true });
    // The steward's camera sees the label taped on the tool.
    const photo = await label.screenshot();

    await page.goto(`${fx.hub.url}/#/desk`);
    // Tools stays the marked tab at the desk.
    expect(await page.getAttribute('nav a[href="#/library"]', 'aria-current')).toBe('page');
    await page.setInputFiles('input[name=label-photo]', { name: 'label.png', mimeType: 'image/png', buffer: photo });
    await expect.poll(() => page.textContent('[data-testid=desk-item]'), { timeout: 15_000 }).toContain(tool.code);
    expect(await page.inputValue('input[name=item-code]')).toBe(tool.code);

    // Then the member (a tap on the name), the condition, and one button as wide as the screen.
    const desk = page.locator('section.card.desk');
    const checkOut = desk.locator('button:has-text("Prestar")');
    expect(await checkOut.isDisabled()).toBe(true);
    expect(await desk.textContent()).toContain('Elige primero quién se lo lleva.');
    await desk.locator('input[placeholder]').fill('Dawit');
    await desk.locator('[role=listbox] button', { hasText: 'Dawit Bekele' }).click();
    await desk.locator('select[name=condition]').selectOption('fair');
    const order = await desk.evaluate((s: any) =>
      [...s.querySelectorAll('input, select, button')].map((e: any) => (e.getAttribute('name') as string | null) ?? (e.tagName as string).toLowerCase()),
    );
    expect(order).toEqual(['input', 'condition', 'button']);
    const confirm = await box(page, 'section.card.desk button:has-text("Prestar")');
    expect(confirm.width).toBeGreaterThan(confirm.screen.width * 0.75);
    expect(confirm.height).toBeGreaterThanOrEqual(44);
    // Brought up after the scan: the whole step is on screen, above the tab bar, with no scrolling.
    expect(confirm.y + confirm.height).toBeLessThan(confirm.screen.height - (await box(page, 'nav')).height);
    expect(await axe(page)).toEqual([]);
    await shot(page, 'es-desk-scanned', { keep: true });
    await checkOut.click();
    // The result under the button, announced.
    await expect.poll(() => desk.locator('p[role=status]').textContent()).toBe('Prestada.');
    const loans = (await as('GET', '/api/v1/library/loans?open=true&all=true')).json as Array<{ itemId: string; memberId: string; conditionOut: string }>;
    expect(loans.find((l) => l.itemId === tool.id)).toMatchObject({ memberId: dawit, conditionOut: 'fair' });

    // Back: the code typed as a steward would, in lower case with a space.
    await page.goto(`${fx.hub.url}/#/library`);
    await page.click('[data-testid=desk-links] a[href="#/desk"]');
    await page.fill('input[name=item-code]', ` ${tool.code.toLowerCase()}`);
    await page.click('form:has(#find-item) button[type=submit]');
    await expect.poll(() => desk.textContent()).toContain('Dawit Bekele');
    await desk.locator('select[name=condition]').selectOption('good');
    await desk.locator('button:has-text("Recibir")').click();
    await expect.poll(() => desk.locator('p[role=status]').textContent()).toBe('Recibida.');
    expect(((await as('GET', '/api/v1/library/loans?open=true&all=true')).json as Array<{ itemId: string }>).some((l) => l.itemId === tool.id)).toBe(false);
    await page.context().close();
  });

  it('says so when a photo has no label in it or a code is unknown, and loses nothing', { timeout: 60_000 }, async () => {
    const page = await steward('sv');
    await page.goto(`${fx.hub.url}/#/desk`);
    await page.waitForSelector('input[name=label-photo]');
    // A photo of something else: the page's own heading.
    const notALabel = await page.locator('h2').screenshot();
    await page.setInputFiles('input[name=label-photo]', { name: 'photo.png', mimeType: 'image/png', buffer: notALabel });
    await expect.poll(() => page.locator('form:has(#find-item) p[role=alert]').textContent(), { timeout: 15_000 }).toContain('Ingen etikettkod gick att läsa');
    await page.fill('input[name=item-code]', 'T-9999');
    await page.click('form:has(#find-item) button[type=submit]');
    await expect.poll(() => page.locator('form:has(#find-item) p[role=alert]').textContent()).not.toContain('Ingen etikettkod');
    expect(await page.locator('section.card.desk').count()).toBe(0);
    await page.context().close();
  });

  it('is usable at 200 % text: nothing scrolls sideways and the scan button stays within reach', { timeout: 60_000 }, async () => {
    const page = await steward('en', 2);
    await page.goto(`${fx.hub.url}/#/desk`);
    await page.waitForSelector('input[name=label-photo]');
    const scan = await box(page, 'label.scan');
    // As wide as the card it is in (the fields' width), however large the text.
    expect(scan.width).toBeGreaterThanOrEqual((await box(page, 'input[name=item-code]')).width - 1);
    expect(scan.y + scan.height).toBeLessThan(scan.screen.height);
    expect(await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth as number)).toBeLessThanOrEqual(390);
    await shot(page, 'en-desk-200');
    await page.context().close();
  });

  it("breaks no rule of the hub's content security policy on any page of the journeys above", () => {
    expect(fx.cspViolations).toEqual([]);
  });
});
