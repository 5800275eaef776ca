// Renders the console's app icons from its SVGs with Debian's Chromium, once,
// by hand (`node console/scripts/render-icons.mjs`): the PNGs and favicon.ico
// are committed, so building the console needs no browser.
import { readFileSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const pub = new URL('../public/', import.meta.url);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage();
async function render(svg, size) {
  await page.setViewportSize({ width: size, height: size });
  const data = readFileSync(new URL(svg, pub), 'utf8');
  await page.setContent(`<html><body style="margin:0;background:transparent"><img style="display:block;width:${size}px;height:${size}px" src="data:image/svg+xml;base64,${Buffer.from(data).toString('base64')}"></body></html>`);
  return page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
}
for (const [svg, size, out] of [
  ['icon.svg', 192, 'icon-192.png'],
  ['icon.svg', 512, 'icon-512.png'],
  ['icon-maskable.svg', 512, 'icon-maskable-512.png'],
  ['icon.svg', 180, 'apple-touch-icon.png'],
]) writeFileSync(new URL(out, pub), await render(svg, size));
// An ICO holding one 48×48 PNG: every browser in use reads PNG inside ICO.
const png = await render('icon.svg', 48);
const header = Buffer.alloc(22);
header.writeUInt16LE(0, 0); // reserved
header.writeUInt16LE(1, 2); // type: icon
header.writeUInt16LE(1, 4); // one image
header.writeUInt8(48, 6); // width
header.writeUInt8(48, 7); // height
header.writeUInt8(0, 8); // no palette
header.writeUInt8(0, 9);
header.writeUInt16LE(1, 10); // colour planes
header.writeUInt16LE(32, 12); // bits per pixel
header.writeUInt32LE(png.length, 14);
header.writeUInt32LE(22, 18); // the PNG starts after this header
writeFileSync(new URL('favicon.ico', pub), Buffer.concat([header, png]));
await browser.close();
