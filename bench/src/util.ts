import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A scratch folder; BENCH_KEEP_DATA=1 keeps it afterwards (its path is printed) to look inside. */
export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  if (process.env.BENCH_KEEP_DATA) {
    console.log(`data kept in ${path}`);
    return { path, remove: () => undefined };
  }
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function table(rows: Array<Record<string, string | number>>): void {
  console.table(rows);
}

/**
 * Node flags that make a benched hub write a CPU profile when it stops:
 * set BENCH_PROFILE_DIR to a folder and open the .cpuprofile files it
 * collects in Chrome's DevTools. Empty when unset, so figures printed
 * for the README are never taken with the profiler's overhead.
 */
export function profileArgs(): string[] {
  const dir = process.env.BENCH_PROFILE_DIR;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

/**
 * A process's resident memory from /proc, in MiB: all of it (VmRSS, which
 * counts the pages of LMDB's file it has touched) and its own anonymous
 * memory (RssAnon). Null once the process is gone.
 */
export function residentMiB(pid: number): { rss: number; anon: number } | null {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const mib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) / 1024;
  return { rss: mib('VmRSS'), anon: mib('RssAnon') };
}
