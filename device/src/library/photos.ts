import { HubError } from '../errors.js';

/** Photos are stored on the hub, so they are small and really images. */
export const MAX_PHOTO_BYTES = 512 * 1024;

const SIGNATURES: Array<[string, number[]]> = [
  ['image/jpeg', [0xff, 0xd8, 0xff]],
  ['image/png', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
  ['image/webp', [0x52, 0x49, 0x46, 0x46]], // RIFF…WEBP, checked below
];

/** The image type from the bytes themselves; the declared type is not trusted. */
export function sniffImage(bytes: Uint8Array): string {
  if (bytes.length > MAX_PHOTO_BYTES) {
    throw new HubError(413, 'payload-too-large', 'Photo too large', `photos may be at most ${MAX_PHOTO_BYTES / 1024} KiB; this one is ${Math.ceil(bytes.length / 1024)} KiB`);
  }
  for (const [mime, sig] of SIGNATURES) {
    if (sig.every((b, i) => bytes[i] === b)) {
      if (mime === 'image/webp' && String.fromCharCode(...bytes.subarray(8, 12)) !== 'WEBP') continue;
      return mime;
    }
  }
  throw HubError.badRequest('the photo is not a JPEG, PNG or WebP image');
}
