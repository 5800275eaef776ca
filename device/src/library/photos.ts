import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { HubError } from '../errors.js';
import { refuse } from './contract.js';

/**
 * Photos are stored on the hub, so they are small and really images. The
 * first bytes say which kind a photo claims to be; then it is decoded (PNG,
 * JPEG) or its container walked to the end (WebP), so a PNG header followed
 * by HTML, or any other file dressed as a photo, is refused.
 */
export const MAX_PHOTO_BYTES = 512 * 1024;
/** A phone photo shrunk by the console is far below this; a decompression bomb is not. */
const MAX_PIXELS = 40_000_000;

const SIGNATURES: Array<[string, number[]]> = [
  ['image/jpeg', [0xff, 0xd8, 0xff]],
  ['image/png', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
  ['image/webp', [0x52, 0x49, 0x46, 0x46]], // RIFF…WEBP, checked below
];

/** The image type from the bytes themselves; the declared type is not trusted. */
export function sniffImage(bytes: Uint8Array): string {
  if (bytes.length > MAX_PHOTO_BYTES) {
    throw refuse('photo-too-large', `photos may be at most ${MAX_PHOTO_BYTES / 1024} KiB; this one is ${Math.ceil(bytes.length / 1024)} KiB`);
  }
  for (const [mime, sig] of SIGNATURES) {
    if (sig.every((b, i) => bytes[i] === b)) {
      if (mime === 'image/webp' && String.fromCharCode(...bytes.subarray(8, 12)) !== 'WEBP') continue;
      checkDecodes(mime, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return mime;
    }
  }
  throw HubError.badRequest('the photo is not a JPEG, PNG or WebP image');
}

function checkDecodes(mime: string, buf: Buffer): void {
  const refuse = (why: string) => HubError.badRequest(`the photo does not decode as ${mime.slice(6).toUpperCase()}: ${why}`);
  try {
    if (mime === 'image/png') {
      const png = PNG.sync.read(buf, { checkCRC: true });
      if (png.width * png.height > MAX_PIXELS) throw new Error('too many pixels');
    } else if (mime === 'image/jpeg') {
      jpeg.decode(buf, { maxResolutionInMP: MAX_PIXELS / 1e6, maxMemoryUsageInMB: 256, tolerantDecoding: false });
    } else walkWebp(buf);
  } catch (e) {
    throw refuse((e as Error).message);
  }
}

/**
 * WebP: a RIFF container whose declared size is the file's, holding chunks
 * that add up exactly, the first an image chunk (VP8, VP8L or VP8X) with its
 * own signature. Nothing may follow the last chunk.
 */
function walkWebp(buf: Buffer): void {
  if (buf.readUInt32LE(4) + 8 !== buf.length) throw new Error('the RIFF size is not the file size');
  let at = 12;
  let first = true;
  while (at < buf.length) {
    if (at + 8 > buf.length) throw new Error('a chunk header is cut short');
    const fourcc = buf.toString('latin1', at, at + 4);
    const size = buf.readUInt32LE(at + 4);
    const body = at + 8;
    if (body + size > buf.length) throw new Error(`chunk ${fourcc} runs past the end`);
    if (first) {
      if (fourcc === 'VP8 ' && !(size >= 10 && buf[body + 3] === 0x9d && buf[body + 4] === 0x01 && buf[body + 5] === 0x2a))
        throw new Error('no VP8 frame start code');
      if (fourcc === 'VP8L' && !(size >= 5 && buf[body] === 0x2f)) throw new Error('no VP8L signature');
      if (fourcc === 'VP8X' && size < 10) throw new Error('a VP8X header is cut short');
      if (!['VP8 ', 'VP8L', 'VP8X'].includes(fourcc)) throw new Error(`the first chunk is ${fourcc}, not an image`);
      first = false;
    }
    at = body + size + (size & 1); // chunks are padded to an even size
  }
  if (first) throw new Error('no image chunk');
  if (at !== buf.length) throw new Error('bytes after the last chunk');
}
