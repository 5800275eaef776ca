import { readFileSync } from 'node:fs';

/** The hub's version, from device/package.json (or the bundle's copy of it). */
export const VERSION: string = (() => {
  // From dist/ the package file is one level up; in the SD-card bundle it sits beside the bundle.
  for (const rel of ['../package.json', './package.json']) {
    try {
      return (JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { version: string }).version;
    } catch {
      // try the next place
    }
  }
  return '0.0.0';
})();
