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

const esc = (s: string) => s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);

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
