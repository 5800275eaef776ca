import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, readSync, realpathSync, statSync, writeSync, existsSync } from 'node:fs';
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
  if (size > max) problems.push(`${device} holds ${(size / 1024 ** 3).toFixed(0)} GiB, more than an SD card (${(max / 1024 ** 3).toFixed(0)} GiB); is it a system disk?`);
  return problems;
}

export interface FlashResult {
  bytes: number;
  sha256: string;
  verified: boolean;
  dryRun: boolean;
}

export async function flash(image: string, device: string, opts: FlashOptions = {}): Promise<FlashResult> {
  if (!existsSync(image)) throw new ProvisionError(`image ${image} does not exist`);
  const size = statSync(image).size;
  const problems = safetyProblems(device, opts);
  if (problems.length && !opts.force) throw new ProvisionError(`refusing to write ${device}: ${problems.join('; ')} (use --force if you are sure)`);
  if (deviceSize(device) < size && statSync(device).isBlockDevice()) throw new ProvisionError(`${device} is smaller than the image`);
  if (opts.dryRun) return { bytes: size, sha256: '', verified: false, dryRun: true };

  const out = opts.progress === undefined ? process.stderr : opts.progress;
  const bar = out
    ? new cliProgress.SingleBar(
        { stream: out, format: '{task} [{bar}] {percentage}% | {done}/{total} MiB | {speed} MiB/s | ETA {eta_formatted}', hideCursor: false, noTTYOutput: true, notTTYSchedule: 250, etaBuffer: 20 },
        cliProgress.Presets.shades_classic,
      )
    : null;
  const mib = (n: number) => (n / 1024 ** 2).toFixed(1);
  const t0 = Date.now();
  const tick = (task: string, done: number) => bar?.update(done, { task, done: mib(done), total: mib(size), speed: mib(done / Math.max(0.001, (Date.now() - t0) / 1000)) });

  const src = openSync(image, 'r');
  const dst = openSync(device, 'r+');
  const hashIn = createHash('sha256');
  const buf = Buffer.alloc(CHUNK);
  try {
    bar?.start(size, 0, { task: 'writing  ', done: '0.0', total: mib(size), speed: '0.0' });
    for (let off = 0; off < size; ) {
      const n = readSync(src, buf, 0, Math.min(CHUNK, size - off), off);
      hashIn.update(buf.subarray(0, n));
      writeSync(dst, buf, 0, n, off);
      off += n;
      tick('writing  ', off);
    }
    fsyncSync(dst);
    const hashBack = createHash('sha256');
    bar?.update(0, { task: 'verifying' });
    for (let off = 0; off < size; ) {
      const n = readSync(dst, buf, 0, Math.min(CHUNK, size - off), off);
      hashBack.update(buf.subarray(0, n));
      off += n;
      tick('verifying', off);
    }
    bar?.stop();
    const a = hashIn.digest('hex');
    const b = hashBack.digest('hex');
    if (a !== b) throw new ProvisionError(`verification failed: the card reads back differently (${b.slice(0, 12)} ≠ ${a.slice(0, 12)}); the card may be faulty`);
    return { bytes: size, sha256: a, verified: true, dryRun: false };
  } finally {
    bar?.stop();
    closeSync(src);
    closeSync(dst);
  }
}
