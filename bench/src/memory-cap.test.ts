import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { expect, it } from 'vitest';
import { memoryCap } from './memory-cap.js';

const cgroupOf = (pid: number | 'self') => readFileSync(`/proc/${pid}/cgroup`, 'utf8');

it('starts a process inside a memory cgroup of its own, which the kernel holds to the limit (and this process stays where it was)', async () => {
  const cap = memoryCap(64);
  if (typeof cap === 'string') {
    // Not root, or no memory controller: the bench says why and skips its capped runs.
    expect(cap).toMatch(/cgroup|controller/);
    return;
  }
  try {
    const mine = cgroupOf('self');
    // Asks for far more than 64 MiB, a MiB at a time, and touches every byte.
    const hog = cap.spawnInside(() => spawn(process.execPath, ['-e', 'const a = []; for (;;) a.push(Buffer.alloc(1 << 20, 1))'], { stdio: 'ignore' }));
    const inside = cgroupOf(hog.pid!);
    const ended = await new Promise<{ code: number | null; signal: string | null }>((resolve) => hog.once('exit', (code, signal) => resolve({ code, signal })));
    expect(inside).toContain(basename(cap.path));
    expect(cgroupOf('self')).toBe(mine);
    expect(ended.signal).toBe('SIGKILL');
    expect(cap.oomKills()).toBeGreaterThanOrEqual(1);
    expect(cap.peak().chargedMiB).toBeLessThanOrEqual(64);
    expect(cap.peak().limitHits).toBeGreaterThan(0);
  } finally {
    cap.remove();
  }
});
