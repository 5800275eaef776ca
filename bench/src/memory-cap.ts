import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A memory cgroup around one process, as systemd's MemoryMax puts one
 * around the hub on the card. Within it the kernel takes back the process's
 * file pages (LMDB's map among them) to stay under the limit, and kills the
 * process only when its own memory cannot fit.
 */
export interface MemoryCap {
  readonly limitMiB: number;
  /** Where the cgroup is, for the bench's output. */
  readonly path: string;
  /**
   * Starts `spawn`'s process inside the cgroup, so that every page it ever touches is counted there
   * (pages charged elsewhere before a move stay charged elsewhere): this process steps in for the
   * spawn and back out, and the child stays.
   */
  spawnInside<T>(spawn: () => T): T;
  /** Processes the kernel killed in it for want of memory. */
  oomKills(): number;
  /** The most memory charged to it at once, in MiB (page cache included), and how often it reached the limit. */
  peak(): { chargedMiB: number; limitHits: number };
  remove(): void;
}

/**
 * Makes a memory cgroup of `limitMiB` below this process's own (cgroup v1
 * or v2). It answers why not when it cannot: not root, no memory
 * controller, or a v2 parent that does not hand the controller down.
 */
export function memoryCap(limitMiB: number): MemoryCap | string {
  const own = readFileSync('/proc/self/cgroup', 'utf8').split('\n');
  const name = `hyphae-bench-${process.pid}`;
  const bytes = String(limitMiB * 1024 ** 2);
  const v1 = own.map((l) => l.split(':')).find(([, controllers]) => controllers?.split(',').includes('memory'));
  try {
    if (v1 && existsSync('/sys/fs/cgroup/memory')) {
      const home = join('/sys/fs/cgroup/memory', v1[2]!);
      return made(
        home,
        join(home, name),
        { limit: 'memory.limit_in_bytes', events: 'memory.oom_control', peak: 'memory.max_usage_in_bytes', v1: true },
        bytes,
        limitMiB,
      );
    }
    const v2 = own.find((l) => l.startsWith('0::'));
    if (v2 && existsSync('/sys/fs/cgroup/cgroup.controllers')) {
      const home = join('/sys/fs/cgroup', v2.slice(3));
      if (!readFileSync(join(home, 'cgroup.subtree_control'), 'utf8').includes('memory')) return `the memory controller is not enabled below ${home}`;
      return made(home, join(home, name), { limit: 'memory.max', events: 'memory.events', peak: 'memory.peak', v1: false }, bytes, limitMiB);
    }
    return 'no memory cgroup controller on this machine';
  } catch (err) {
    return `cannot make a memory cgroup: ${(err as Error).message}`;
  }
}

interface Files {
  limit: string;
  events: string;
  peak: string;
  v1: boolean;
}

function made(home: string, path: string, files: Files, bytes: string, limitMiB: number): MemoryCap | string {
  mkdirSync(path);
  const read = (file: string) => readFileSync(join(path, file), 'utf8');
  try {
    writeFileSync(join(path, files.limit), bytes);
  } catch (err) {
    rmdirSync(path);
    return `cannot limit a memory cgroup: ${(err as Error).message}`;
  }
  const moveSelf = (to: string) => writeFileSync(join(to, 'cgroup.procs'), String(process.pid));
  return {
    limitMiB,
    path,
    spawnInside: (spawn) => {
      moveSelf(path);
      try {
        return spawn();
      } finally {
        moveSelf(home);
      }
    },
    oomKills: () => Number(/^oom_kill (\d+)$/m.exec(read(files.events))?.[1] ?? 0),
    peak: () => ({
      chargedMiB: Number(read(files.peak)) / 1024 ** 2,
      limitHits: files.v1 ? Number(read('memory.failcnt')) : Number(/^max (\d+)$/m.exec(read(files.events))?.[1] ?? 0),
    }),
    remove: () => {
      try {
        rmdirSync(path);
      } catch {
        // still in use (a process left in it): the machine's next boot clears it
      }
    },
  };
}
