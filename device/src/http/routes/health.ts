import { z } from '@hono/zod-openapi';
import { storage } from '../../backup.js';
import type { App, HttpDeps } from '../context.js';
import { component, json } from '../schemas.js';
import { TIME_SOURCES, TIME_STATES } from '../../time/contract.js';
import { DISK_STATES } from '../../store/contract.js';
import { operations } from '../operations.js';

const api = operations('hub');

const Disk = component('DiskReport', {
  state: z
    .enum(DISK_STATES)
    .describe('ok; pruning: old readings are pruned early; low: new photos are refused; full: every change is refused (507) while reading works'),
  freeBytes: z.number(),
  totalBytes: z.number(),
  databaseBytes: z.number().describe('Size of the LMDB file'),
  maxDatabaseBytes: z.number().describe('The cap the database may grow to'),
  reason: z.string().nullable().describe('Why changes or photos are refused, when they are'),
});

const Memory = component('MemoryReport', {
  rssBytes: z.number().describe('Resident memory; grows with the mapped database (file-backed pages the kernel can drop)'),
  heapUsedBytes: z.number().describe('The JavaScript heap in use; flat in a healthy hub'),
  heapTotalBytes: z.number(),
  externalBytes: z.number(),
});

const Time = component('TimeStatus', {
  state: z.enum(TIME_STATES).describe('waiting: demurrage, expiry, closing and the nightly jobs wait for the clock; payments still work'),
  reason: z.string().nullable(),
  source: z.enum(TIME_SOURCES),
  synced: z.boolean().nullable().describe("chrony's word; null when the system clock is the source"),
  lastJump: z.object({ fromWall: z.number(), toWall: z.number(), byMs: z.number(), agoMs: z.number() }).nullable(),
});

const health = api.get('/api/v1/health', 'Is the hub up, and which version; its disk and memory', {
  answers: {
    200: json(
      component('Health', {
        status: z.literal('ok'),
        version: z.string(),
        hub: z.string(),
        hubId: z.string().nullable(),
        time: z.string(),
        uptimeSeconds: z.number(),
        storage: z.object({ freeBytes: z.number(), totalBytes: z.number() }).nullable(),
        disk: Disk.nullable(),
        clock: Time.nullable(),
        rssBytes: z.number(),
        memory: Memory,
      }),
      'The hub is up',
    ),
  },
});

/**
 * The process's memory and the data disk's space, measured at most once a
 * second: both are system calls (process.memoryUsage reads /proc, storage is
 * a statfs), and a monitor or a phone polling /health should not pay them on
 * every request.
 */
function sampledEachSecond<T>(measure: () => T): () => T {
  let at = -Infinity;
  let last: T;
  return () => {
    const now = performance.now();
    if (now - at >= 1000) {
      last = measure();
      at = now;
    }
    return last;
  };
}

export function registerHealth(app: App, deps: HttpDeps) {
  const memory = sampledEachSecond(() => process.memoryUsage());
  const disk = sampledEachSecond(() => (deps.hubInfo ? storage(deps.hubInfo.dataDir) : null));
  app.openapi(health, (c) => {
    const mem = memory();
    return c.json(
      {
        status: 'ok' as const,
        version: deps.version,
        hub: deps.config.hub.name,
        hubId: deps.hubInfo?.identity.hubId ?? null,
        // The hub's clock, as every module reads it.
        time: new Date(deps.time.now()).toISOString(),
        uptimeSeconds: Math.round(process.uptime()),
        storage: disk(),
        disk: deps.disk ? deps.disk.current() : null,
        clock: deps.time.status(),
        rssBytes: mem.rss,
        memory: { rssBytes: mem.rss, heapUsedBytes: mem.heapUsed, heapTotalBytes: mem.heapTotal, externalBytes: mem.external },
      },
      200,
    );
  });
}
