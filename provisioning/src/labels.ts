import { PDFDocument, rgb, StandardFonts, type PDFFont } from 'pdf-lib';
import QRCode from 'qrcode';

/**
 * A label for a sensor's case: name, DevEUI and a QR code holding the
 * LoRaWAN join details in the LoRa Alliance TR005 form
 * (LW:D0:JoinEUI:DevEUI:ProfileID), which installers' phone apps read.
 */
export interface LabelInfo {
  name: string;
  devEui: string;
  joinEui: string;
  place: string | null;
}

const esc = (s: string) => s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c] ?? c);

export async function labelSvg(l: LabelInfo): Promise<string> {
  const payload = `LW:D0:${l.joinEui.toUpperCase()}:${l.devEui.toUpperCase()}:HYPHAE`;
  const qr = await QRCode.toString(payload, { type: 'svg', margin: 0, errorCorrectionLevel: 'M' });
  const inner = qr.replace(/^<svg[^>]*>/, '').replace(/<\/svg>\s*$/, '');
  const viewBox = /viewBox="([^"]+)"/.exec(qr)?.[1] ?? '0 0 33 33';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="62mm" height="29mm" viewBox="0 0 620 290">
  <rect width="620" height="290" fill="#fff"/>
  <svg x="15" y="15" width="260" height="260" viewBox="${viewBox}">${inner}</svg>
  <text x="295" y="60" font-family="sans-serif" font-size="30" font-weight="bold">${esc(l.name)}</text>
  <text x="295" y="110" font-family="monospace" font-size="22">DevEUI ${esc(l.devEui.toUpperCase())}</text>
  <text x="295" y="145" font-family="monospace" font-size="22">JoinEUI ${esc(l.joinEui.toUpperCase())}</text>
  ${l.place ? `<text x="295" y="190" font-family="sans-serif" font-size="22">${esc(l.place)}</text>` : ''}
  <text x="295" y="260" font-family="sans-serif" font-size="18" fill="#555">Hyphae neighbourhood sensor</text>
</svg>
`;
}

export function qrPayload(l: LabelInfo): string {
  return `LW:D0:${l.joinEui.toUpperCase()}:${l.devEui.toUpperCase()}:HYPHAE`;
}

const MM = 72 / 25.4;

/**
 * The same label as a one-page PDF (62 × 29 mm, the common die-cut size of
 * label printers), for print shops and printers that take no SVG. The QR
 * code is drawn as vector squares so it stays sharp at any printer's
 * resolution.
 */
export async function labelPdf(l: LabelInfo): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle(`${l.name} — Hyphae sensor label`);
  doc.setCreator('hyphae-provision');
  const page = doc.addPage([62 * MM, 29 * MM]);
  const qr = QRCode.create(qrPayload(l), { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  const side = 26 * MM;
  const cell = side / n;
  const x0 = 1.5 * MM;
  const top = 29 * MM - 1.5 * MM;
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      // A hair of overlap so renderers leave no seams between dark cells.
      if (qr.modules.get(r, c)) page.drawRectangle({ x: x0 + c * cell, y: top - (r + 1) * cell, width: cell + 0.05, height: cell + 0.05, color: rgb(0, 0, 0) });
    }
  }
  const sans = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const mono = await doc.embedFont(StandardFonts.Courier);
  const x = 29.5 * MM;
  const width = 62 * MM - x - 1.5 * MM;
  const line = (text: string, font: PDFFont, size: number, yMm: number, grey = 0) =>
    page.drawText(fit(printable(text, font), font, size, width), { x, y: 29 * MM - yMm * MM, size, font, color: rgb(grey, grey, grey) });
  line(l.name, bold, 8, 6);
  line(`DevEUI ${l.devEui.toUpperCase()}`, mono, 5.2, 11);
  line(`JoinEUI ${l.joinEui.toUpperCase()}`, mono, 5.2, 14.5);
  if (l.place) line(l.place, sans, 6, 19);
  line('Hyphae neighbourhood sensor', sans, 5, 26.5, 0.33);
  return doc.save();
}

/** The standard PDF fonts cover Latin-1; anything else prints as "?" rather than failing the label. */
function printable(text: string, font: PDFFont): string {
  return [...text]
    .map((ch) => {
      try {
        font.encodeText(ch);
        return ch;
      } catch {
        return '?';
      }
    })
    .join('');
}

/** Shortens text with an ellipsis until it fits the label's text column. */
function fit(text: string, font: PDFFont, size: number, width: number): string {
  if (font.widthOfTextAtSize(text, size) <= width) return text;
  let t = text;
  while (t.length > 1 && font.widthOfTextAtSize(`${t}…`, size) > width) t = t.slice(0, -1);
  return `${t}…`;
}
