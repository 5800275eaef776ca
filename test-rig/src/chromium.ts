import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium as every browser test runs it: headless, and quiet (no updates, sync or network of its own). */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Launches Chromium with the common flags and `extra` ones (a host mapping, say). */
export function launchChromium(extra: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: [...FLAGS, ...extra] });
}
