import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { labelPdf, qrPayload } from './labels.js';

// jsqr's typings declare an ES default export its CommonJS build does not have.
const jsQR = createRequire(import.meta.url)('jsqr') as (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;

// The PDF is rendered by poppler (as a print shop's RIP would) and the QR
// code read back from the pixels, so a label that looks right but scans
// wrong fails here.

const dir = mkdtempSync(join(tmpdir(), 'hyphae-label-'));

/** Renders page 1 to greyscale pixels with pdftoppm and returns RGBA for jsQR. */
function render(pdf: Uint8Array, dpi: number): { data: Uint8ClampedArray; width: number; height: number } {
  const file = join(dir, `l-${dpi}.pdf`);
  writeFileSync(file, pdf);
  execFileSync('pdftoppm', ['-r', String(dpi), '-gray', '-singlefile', file, join(dir, `l-${dpi}`)]);
  const pgm = readFileSync(join(dir, `l-${dpi}.pgm`));
  // Binary PGM: "P5\n<w> <h>\n<max>\n" then one byte per pixel.
  const header = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(pgm.subarray(0, 64).toString('latin1'))!;
  const width = Number(header[1]);
  const height = Number(header[2]);
  const pixels = pgm.subarray(header[0].length);
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set([pixels[i]!, pixels[i]!, pixels[i]!, 255], i * 4);
  return { data, width, height };
}

describe('sensor labels as PDF', () => {
  const info = { name: 'Allotment probe 3', devEui: 'a84041000181c061', joinEui: 'a840410000000101', place: 'Allotments' };

  it('is one 62 × 29 mm page whose QR code scans to the TR005 join string at label-printer resolution', async () => {
    const pdf = await labelPdf(info);
    const doc = await PDFDocument.load(pdf);
    expect(doc.getPageCount()).toBe(1);
    const { width, height } = doc.getPage(0).getSize();
    expect([Math.round((width * 25.4) / 72), Math.round((height * 25.4) / 72)]).toEqual([62, 29]);
    for (const dpi of [300, 203]) {
      const img = render(pdf, dpi);
      expect(jsQR(img.data, img.width, img.height)?.data, `at ${dpi} dpi`).toBe(qrPayload(info));
    }
    const text = execFileSync('pdftotext', [join(dir, 'l-300.pdf'), '-'], { encoding: 'utf8' });
    expect(text).toContain('Allotment probe 3');
    expect(text).toContain('DevEUI A84041000181C061');
    expect(text).toContain('JoinEUI A840410000000101');
    expect(text).toContain('Allotments');
  });

  it('prints names outside Latin-1 with "?" and shortens long ones instead of failing', async () => {
    const pdf = await labelPdf({ ...info, name: 'Ogródek 菜园 and a very long name that will never fit on one label line', place: null });
    const file = join(dir, 'long.pdf');
    writeFileSync(file, pdf);
    const text = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' });
    expect(text).toContain('Ogródek ?? and');
    expect(text).toContain('…');
    expect(text).not.toContain('one label line');
  });
});

process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
