import { createHash } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, createReadStream, fsyncSync, openSync, readFileSync, readSync, realpathSync, statSync, writeSync, existsSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { basename } from 'node:path';
import cliProgress from 'cli-progress';
import { ProvisionError } from './hub-files.js';

/**
 * Writes an OS image to a card and reads it back to verify. It refuses a
 * target that looks like a system disk: one that is mounted (or has a
 * mounted partition), or one larger than any SD card an installer carries,
 * unless forced.
 */
export interface FlashOptions {
  force?: boolean;
  dryRun?: boolean;
  maxBytes?: number;
  progress?: NodeJS.WritableStream | null;
  mountsFile?: string;
}

export const DEFAULT_MAX_BYTES = 256 * 1024 ** 3;
const CHUNK = 4 * 1024 * 1024;

export function deviceSize(path: string): number {
  const st = statSync(path);
  if (st.isFile()) return st.size;
  const name = basename(realpathSync(path));
  try {
    return Number(readFileSync(`/sys/class/block/${name}/size`, 'utf8').trim()) * 512;
  } catch {
    return st.size;
  }
}

export function mountedPartitions(device: string, mountsFile = '/proc/mounts'): string[] {
  if (!existsSync(mountsFile)) return [];
  const real = existsSync(device) ? realpathSync(device) : device;
  return readFileSync(mountsFile, 'utf8')
    .split('\n')
    .map((l) => l.split(' '))
    .filter(([src]) => src && (src === real || (src.startsWith(real) && /^p?\d+$/.test(src.slice(real.length)))))
    .map(([src, mnt]) => `${src} on ${mnt}`);
}

export function safetyProblems(device: string, opts: FlashOptions = {}): string[] {
  const problems: string[] = [];
  if (!existsSync(device)) return [`${device} does not exist`];
  const mounted = mountedPartitions(device, opts.mountsFile);
  if (mounted.length) problems.push(`${device} is in use: ${mounted.join(', ')}`);
  const size = deviceSize(device);
  const max = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  if (size > max)
    problems.push(`${device} holds ${(size / 1024 ** 3).toFixed(0)} GiB, more than an SD card (${(max / 1024 ** 3).toFixed(0)} GiB); is it a system disk?`);
  return problems;
}

export interface FlashResult {
  bytes: number;
  sha256: string;
  verified: boolean;
  dryRun: boolean;
}

/**
 * The image as a stream of its raw bytes, and how many there are. An
 * `.img.xz` (as os-image/build.sh makes) is decompressed on the way by xz,
 * whose index gives the size before a byte is read.
 */
export function imageSource(image: string): { size: number; open: () => Readable } {
  if (!image.endsWith('.xz')) return { size: statSync(image).size, open: () => createReadStream(image, { highWaterMark: CHUNK }) };
  const list = spawnSync('xz', ['--robot', '--list', image], { encoding: 'utf8' });
  if (list.error || list.status !== 0)
    throw new ProvisionError(
      `cannot read ${image}: ${list.error ? 'xz is not installed (install xz-utils, or decompress the image first)' : list.stderr.trim()}`,
    );
  const totals = list.stdout
    .split('\n')
    .find((l) => l.startsWith('totals\t'))
    ?.split('\t');
  const size = Number(totals?.[4]);
  if (!Number.isFinite(size) || size <= 0) throw new ProvisionError(`cannot tell the size of ${image} from its xz index`);
  return {
    size,
    open: () => {
      const xz = spawn('xz', ['-dc', image], { stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      xz.stderr.on('data', (d) => (err += d));
      xz.on('exit', (code) => code && xz.stdout.destroy(new ProvisionError(`xz could not decompress ${image}: ${err.trim()}`)));
      return xz.stdout;
    },
  };
}

export async function flash(image: string, device: string, opts: FlashOptions = {}): Promise<FlashResult> {
  if (!existsSync(image)) throw new ProvisionError(`image ${image} does not exist`);
  const source = imageSource(image);
  const size = source.size;
  const problems = safetyProblems(device, opts);
  if (problems.length && !opts.force) throw new ProvisionError(`refusing to write ${device}: ${problems.join('; ')} (use --force if you are sure)`);
  if (deviceSize(device) < size && statSync(device).isBlockDevice()) throw new ProvisionError(`${device} is smaller than the image`);
  if (opts.dryRun) return { bytes: size, sha256: '', verified: false, dryRun: true };

  const out = opts.progress === undefined ? process.stderr : opts.progress;
  const bar = out
    ? new cliProgress.SingleBar(
        {
          stream: out,
          format: '{task} [{bar}] {percentage}% | {done}/{total} MiB | {speed} MiB/s | ETA {eta_formatted}',
          hideCursor: false,
          noTTYOutput: true,
          notTTYSchedule: 250,
          etaBuffer: 20,
        },
        cliProgress.Presets.shades_classic,
      )
    : null;
  const mib = (n: number) => (n / 1024 ** 2).toFixed(1);
  const t0 = Date.now();
  const tick = (task: string, done: number) =>
    bar?.update(done, { task, done: mib(done), total: mib(size), speed: mib(done / Math.max(0.001, (Date.now() - t0) / 1000)) });

  const dst = openSync(device, 'r+');
  const hashIn = createHash('sha256');
  const buf = Buffer.alloc(CHUNK);
  try {
    bar?.start(size, 0, { task: 'writing  ', done: '0.0', total: mib(size), speed: '0.0' });
    let off = 0;
    for await (const chunk of source.open() as AsyncIterable<Buffer>) {
      hashIn.update(chunk);
      writeSync(dst, chunk, 0, chunk.length, off);
      off += chunk.length;
      tick('writing  ', off);
    }
    if (off !== size) throw new ProvisionError(`the image ended after ${off} of ${size} bytes; the card is incomplete, write it again`);
    fsyncSync(dst);
    const hashBack = createHash('sha256');
    bar?.update(0, { task: 'verifying' });
    for (let at = 0; at < size; ) {
      const n = readSync(dst, buf, 0, Math.min(CHUNK, size - at), at);
      hashBack.update(buf.subarray(0, n));
      at += n;
      tick('verifying', at);
    }
    bar?.stop();
    const a = hashIn.digest('hex');
    const b = hashBack.digest('hex');
    if (a !== b)
      throw new ProvisionError(`verification failed: the card reads back differently (${b.slice(0, 12)} ≠ ${a.slice(0, 12)}); the card may be faulty`);
    return { bytes: size, sha256: a, verified: true, dryRun: false };
  } finally {
    bar?.stop();
    closeSync(dst);
  }
}
