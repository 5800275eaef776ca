import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { axe } from './console-axe.js';
import { consoleHub, settled } from './console-fixture.js';
import { SHOTS, shot } from './screenshots.js';

/**
 * The console in real Chromium, on a phone-sized screen, against a real hub
 * process with the demo neighbourhood. Screenshots of every page in each
 * language land in test-results/screenshots for review. This file has what
 * spans every page (joining, 200 % text, three languages with axe); each
 * journey has a file and a hub of its own (console-fixture.ts): money,
 * governance, the stewards' desk, the neighbourhood, the tool library, the
 * desk and navigation.
 */
const fx = consoleHub('hyphae-e2e-');
const { phone, signIn, navTo } = fx;

describe('console in Chromium', () => {
  it('joins with an invite link', { timeout: 60_000 }, async () => {
    const inv = (await (
      await fetch(`${fx.hub.url}/api/v1/invites`, {
        method: 'POST',
        headers: { authorization: `Bearer ${fx.steward}`, 'content-type': 'application/json' },
        body: '{}',
      })
    ).json()) as { code: string };
    const page = await phone('en');
    await page.goto(`${fx.hub.url}/#/join?code=${inv.code}`);
    await page.fill('input[name=name]', 'Petra Ny');
    await page.fill('input[name=email]', 'petra@example.org');
    await page.fill('input[name=password]', 'petra-password');
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=balance]');
    expect(await page.textContent('h2')).toContain('Petra Ny');
    await page.context().close();
  });

  it('keeps every page usable at 200% text size: nothing runs off the side, the controls stay reachable', { timeout: 120_000 }, async () => {
    const page = await phone('en');
    await signIn(page, 'steward@demo.hyphae');
    // As the phone's text-size setting would: through the CSS object model, which the hub's content security policy allows.
    await page.evaluate(() => (globalThis as any).document.documentElement.style.setProperty('font-size', '200%', 'important'));
    for (const route of ['/', '/pay', '/history', '/library', '/skills', '/share', '/neighbourhood', '/proposals', '/links', '/steward', '/members', '/me']) {
      await page.evaluate((r) => ((globalThis as any).location.hash = `#${r}`), route);
      await page.waitForSelector('main h2');
      await settled(page); // lazily loaded pages render their data
      const overflow = await page.evaluate(() => {
        const w = globalThis as any;
        // The bottom navigation scrolls sideways by design; everything else must fit the screen.
        const main = w.document.querySelector('main');
        // innerWidth grows with overflowing content on a phone, so measure against the phone's own width.
        const scrolls = (el: any): boolean =>
          !!el && el !== main && (['auto', 'scroll'].includes(w.getComputedStyle(el).overflowX) || scrolls(el.parentElement));
        const wide = [...w.document.querySelectorAll('header *, main *')].filter(
          (el: any) => el.getBoundingClientRect().right > 391 && !scrolls(el.parentElement),
        );
        return { page: Math.max(0, w.document.documentElement.scrollWidth - 390), wide: wide.slice(0, 3).map((el: any) => String(el.outerHTML).slice(0, 80)) };
      });
      expect(overflow, `at 200% on ${route}`).toEqual({ page: 0, wide: [] });
      await page.screenshot({ path: join(SHOTS, `en-200pct${route === '/' ? '-home' : route.replace('/', '-')}.png`), fullPage: true });
    }
    await page.context().close();
  });

  it('shows every page in English, Swedish and Spanish, passes axe, and saves screenshots', { timeout: 120_000 }, async () => {
    const words = {
      en: ['Sign in', 'Balance', 'Pay a neighbour', 'History'],
      sv: ['Logga in', 'Saldo', 'Betala en granne', 'Historik'],
      es: ['Entrar', 'Saldo', 'Pagar a un vecino', 'Historial'],
    } as const;
    for (const lang of ['en', 'sv', 'es'] as const) {
      const page = await phone(lang);
      await page.goto(`${fx.hub.url}/`);
      await page.waitForSelector('form');
      expect(await page.textContent('form h2')).toBe(words[lang][0]);
      // What a phone's captive-portal sheet shows first: whose hub, that there is no internet, how to join, and a way on without signing in.
      const welcome = page.locator('[data-testid=portal-welcome]');
      await welcome.locator('h2', { hasText: 'Riverside Commons' }).waitFor();
      expect(await welcome.textContent()).toContain({ en: 'There is no internet here', sv: 'Här finns inget internet', es: 'Aquí no hay internet' }[lang]);
      const carryOn = welcome.getByRole('button', {
        name: { en: 'Continue without signing in', sv: 'Fortsätt utan att logga in', es: 'Seguir sin entrar' }[lang],
      });
      if (lang === 'es') {
        const released = page.waitForResponse((r) => r.url().endsWith('/captive-portal/continue') && r.status() === 204);
        await carryOn.click();
        await released;
        await welcome.getByRole('status').waitFor();
      } else expect(await carryOn.count()).toBe(1);
      expect(await axe(page)).toEqual([]);
      await shot(page, `${lang}-sign-in`, { fullPage: true, keep: true });
      await signIn(page, 'ana.lindqvist@demo.hyphae');
      expect(await page.textContent('#bal')).toBe(words[lang][1]);
      expect(await axe(page)).toEqual([]);
      await shot(page, `${lang}-home`, { fullPage: true, keep: true });
      await page.click('nav a[href="#/pay"]');
      await page.waitForSelector('form h2');
      expect(await page.textContent('form h2')).toBe(words[lang][2]);
      expect(await axe(page)).toEqual([]);
      await shot(page, `${lang}-pay`, { fullPage: true, keep: true });
      await navTo(page, '/history');
      await page.waitForSelector('.rows li');
      expect(await page.textContent('section h2')).toBe(words[lang][3]);
      expect(await axe(page)).toEqual([]);
      await page.screenshot({ path: join(SHOTS, `${lang}-history.png`), fullPage: true });
      await page.context().close();

      // Every other page, as a steward (who sees them all), in this language, each checked by axe.
      const steward = await phone(lang);
      await signIn(steward, 'steward@demo.hyphae');
      const english = ['Tools', 'Skills & time', 'Share', 'Neighbourhood', 'Proposals', 'Other neighbourhoods', 'Stewards'];
      for (const route of ['/library', '/skills', '/share', '/neighbourhood', '/proposals', '/links', '/steward']) {
        await navTo(steward, route);
        await steward.waitForSelector('main h2');
        await steward.waitForLoadState('networkidle');
        // The review screenshot should show the plots, which draw once all their data is in.
        if (route === '/neighbourhood')
          await steward.waitForFunction(() => {
            const d = (globalThis as any).document;
            const plots = [...d.querySelectorAll('[data-testid=plot]')];
            return plots.length >= 3 && plots.every((p: any) => p.querySelector('canvas'));
          });
        const heading = await steward.textContent('main h2');
        // The page speaks the chosen language: its heading is not the English one (except where the words agree).
        if (lang !== 'en' && !['Saldo'].includes(heading!)) expect(english, `${lang} ${route}`).not.toContain(heading);
        expect(await axe(steward), `${lang} ${route}`).toEqual([]);
        await steward.screenshot({ path: join(SHOTS, `${lang}${route.replace('/', '-')}.png`), fullPage: true });
      }
      // The members page opens from the stewards' desk.
      await navTo(steward, '/steward');
      await steward.click('a[href="#/members"]');
      await steward.waitForSelector('#everyone-h');
      await steward.waitForLoadState('networkidle');
      expect(await axe(steward), `${lang} /members`).toEqual([]);
      await steward.screenshot({ path: join(SHOTS, `${lang}-members.png`), fullPage: true });
      // My account opens from More, with the language and signing out.
      await navTo(steward, '/me');
      await steward.waitForSelector('#password-h');
      if (lang !== 'en') expect(await steward.textContent('main h2')).not.toBe('My account');
      expect(await axe(steward), `${lang} /me`).toEqual([]);
      await steward.screenshot({ path: join(SHOTS, `${lang}-me.png`), fullPage: true });
      await steward.context().close();
    }
  });

  it("breaks no rule of the hub's content security policy on any page of the journeys above", () => {
    expect(fx.cspViolations).toEqual([]);
  });
});
