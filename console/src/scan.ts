/**
 * Reading an item's label from a photo.
 *
 * The hub is served over plain HTTP on its own Wi-Fi, and browsers give a live
 * camera (getUserMedia) only to secure pages. A photo taken through
 * `<input type=file capture>` works on every phone, so the desk scans a photo:
 * with the browser's own `BarcodeDetector` where it has one (Android Chrome),
 * and otherwise with jsQR, loaded only when a label is first scanned
 * (iPhones, desktop Chromium, Firefox).
 */

/** Phone photos are 12 megapixels; a label's QR code reads as well, and far sooner, from 1,200 pixels across. */
const MAX_SIDE = 1200;

interface Detector {
  detect(image: ImageBitmapSource): Promise<Array<{ rawValue: string }>>;
}
type DetectorClass = (new (options: { formats: string[] }) => Detector) & { getSupportedFormats?: () => Promise<string[]> };

async function nativeDetector(): Promise<Detector | null> {
  const BarcodeDetector = (globalThis as { BarcodeDetector?: DetectorClass }).BarcodeDetector;
  if (!BarcodeDetector) return null;
  try {
    const formats = (await BarcodeDetector.getSupportedFormats?.()) ?? ['qr_code'];
    return formats.includes('qr_code') ? new BarcodeDetector({ formats: ['qr_code'] }) : null;
  } catch {
    return null;
  }
}

/** The text of the first QR code in the picture, or null when there is none to read. */
export async function readQr(picture: Blob): Promise<string | null> {
  const bitmap = await createImageBitmap(picture);
  try {
    const native = await nativeDetector();
    if (native) {
      const [found] = await native.detect(bitmap);
      if (found) return found.rawValue;
    }
    const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
    const w = Math.max(1, Math.round(bitmap.width * scale));
    const h = Math.max(1, Math.round(bitmap.height * scale));
    const canvas = document.createElement('canvas');
    canvas.width = w;
    canvas.height = h;
    const g = canvas.getContext('2d', { willReadFrequently: true });
    if (!g) return null;
    g.drawImage(bitmap, 0, 0, w, h);
    const { default: jsQR } = await import('jsqr');
    return jsQR(g.getImageData(0, 0, w, h).data, w, h)?.data ?? null;
  } finally {
    bitmap.close();
  }
}

/**
 * The item code a label or a typed entry stands for: a label's QR code holds
 * the item's page (`…/#/library/T-0015`), and a steward types the code printed
 * under it, in any case and with stray spaces.
 */
export function itemCodeOf(text: string): string | null {
  const fromUrl = /#\/library\/([^/?#\s]+)/.exec(text)?.[1];
  if (fromUrl) return decodeURIComponent(fromUrl);
  const typed = text.trim().replace(/\s+/g, '').toUpperCase();
  return typed === '' || typed.length > 16 ? null : typed;
}
