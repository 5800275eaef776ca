import QRCode from 'qrcode';

/** Text as a QR code in SVG, for a phone to show and another phone to scan: medium error correction, a small quiet zone. */
export function qrSvg(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}
