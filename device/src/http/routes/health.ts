import { createRoute, z } from '@hono/zod-openapi';
import { storage } from '../../backup.js';
import type { App, HttpDeps } from '../context.js';
import { json } from '../schemas.js';

const health = createRoute({
  method: 'get',
  path: '/api/v1/health',
  tags: ['hub'],
  summary: 'Is the hub up, and which version',
  responses: {
    200: json(
      z
        .object({
          status: z.literal('ok'),
          version: z.string(),
          hub: z.string(),
          hubId: z.string().nullable(),
          time: z.string(),
          uptimeSeconds: z.number(),
          storage: z.object({ freeBytes: z.number(), totalBytes: z.number() }).nullable(),
          rssBytes: z.number(),
        })
        .openapi('Health'),
      'The hub is up',
    ),
  },
});

export function registerHealth(app: App, deps: HttpDeps) {
  app.openapi(health, (c) =>
    c.json(
      {
        status: 'ok' as const,
        version: deps.version,
        hub: deps.config.hub.name,
        hubId: deps.hubInfo?.identity.hubId ?? null,
        time: new Date().toISOString(),
        uptimeSeconds: Math.round(process.uptime()),
        storage: deps.hubInfo ? storage(deps.hubInfo.dataDir) : null,
        rssBytes: process.memoryUsage.rss(),
      },
      200,
    ),
  );
}
