import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from 'playwright-core';

/** Every screenshot a journey takes, full size, for whoever runs the tests (not committed). */
export const SHOTS = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url));
/**
 * The console's main pages, small enough to commit (JPEG, CSS pixels): a
 * reviewer sees the console without running it, and the journeys that take
 * them refresh them on every run, so they never show an older console.
 */
export const KEPT = fileURLToPath(new URL('../screenshots/', import.meta.url));

/**
 * Saves a screenshot of a page or a part of one as `name`.png for review;
 * with `keep`, also as `name`.jpg under test-rig/screenshots.
 */
export async function shot(target: Page | Locator, name: string, opts: { fullPage?: boolean; keep?: boolean } = {}): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  const full = 'goto' in target ? { fullPage: opts.fullPage ?? false } : {};
  await target.screenshot({ path: join(SHOTS, `${name}.png`), ...full });
  if (!opts.keep) return;
  mkdirSync(KEPT, { recursive: true });
  await target.screenshot({ path: join(KEPT, `${name}.jpg`), type: 'jpeg', quality: 70, scale: 'css', ...full });
}
