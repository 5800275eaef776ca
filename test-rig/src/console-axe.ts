import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
/** The WCAG 2.2 AA rules, target size (24 × 24 CSS px) among them: axe keeps that rule off unless asked by its tag. */
const WCAG_22_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/**
 * axe's violations on the page: every WCAG 2.2 AA one whatever its impact,
 * and the serious or critical ones among its best practices, each with the
 * first element it names.
 */
export async function axe(page: Page): Promise<Array<{ id: string; impact: string; target?: string }>> {
  // Run through the devtools protocol: the hub's content security policy rightly refuses inline scripts.
  await page.evaluate(AXE);
  return page.evaluate(async (wcag) => {
    type Result = { violations: Array<{ id: string; impact: string; tags: string[]; nodes: Array<{ target: string[] }> }> };
    const run = (globalThis as unknown as { axe: { run(o?: object): Promise<Result> } }).axe.run;
    const r = await run({ runOnly: { type: 'tag', values: [...wcag, 'best-practice'] } });
    return r.violations
      .filter((v) => v.tags.some((t) => wcag.includes(t)) || v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, target: v.nodes[0]?.target.join(' ') }));
  }, WCAG_22_AA);
}
