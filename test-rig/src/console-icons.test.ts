import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHubProcess, type HubProcess } from './hub-process.js';

/** "Add to home screen" gets a proper app icon, and the tab a favicon, from a real hub serving the built console. */
let hub: HubProcess;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hyphae-icons-'));
  hub = await startHubProcess({ dataDir: dir });
});
afterAll(async () => {
  await hub.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Width and height from a PNG's IHDR chunk. */
function pngSize(b: Buffer): { width: number; height: number } {
  expect(b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), 'a PNG').toBe(true);
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

describe('the console as an installed app', () => {
  it('has a manifest with 192, 512 and maskable icons that are the PNGs they say', async () => {
    const manifest = (await (await fetch(`${hub.url}/manifest.webmanifest`)).json()) as {
      icons: Array<{ src: string; sizes: string; type: string; purpose: string }>;
    };
    const png = manifest.icons.filter((i) => i.type === 'image/png');
    expect(png.map((i) => `${i.sizes} ${i.purpose}`).sort()).toEqual(['192x192 any', '512x512 any', '512x512 maskable']);
    for (const icon of png) {
      const res = await fetch(`${hub.url}${icon.src}`);
      expect(res.status, icon.src).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/png');
      const [w, h] = icon.sizes.split('x').map(Number);
      expect(pngSize(Buffer.from(await res.arrayBuffer()))).toEqual({ width: w, height: h });
    }
  });

  it('answers /favicon.ico with an icon, not the console page', async () => {
    const res = await fetch(`${hub.url}/favicon.ico`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^image\/(x-icon|vnd\.microsoft\.icon)/);
    const ico = Buffer.from(await res.arrayBuffer());
    expect([...ico.subarray(0, 4)]).toEqual([0, 0, 1, 0]); // an ICO header
    expect(pngSize(ico.subarray(22))).toEqual({ width: 48, height: 48 });
    const page = await (await fetch(`${hub.url}/`)).text();
    expect(page).toContain('<link rel="icon" href="/favicon.ico"');
    expect(page).toContain('<link rel="apple-touch-icon" href="/apple-touch-icon.png"');
  });
});
