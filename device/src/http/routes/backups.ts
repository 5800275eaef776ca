import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { z } from '@hono/zod-openapi';
import { HubError } from '../../errors.js';
import { requireRole, type App, type HttpDeps } from '../context.js';
import { component, created, Int, Millis, ok, problemResponses } from '../schemas.js';
import { body, operations } from '../operations.js';

const api = operations('hub');

const BackupFile = component('BackupFile', { file: z.string(), at: z.number(), bytes: Int });
const BackupStatus = component('BackupStatus', {
  passphraseSet: z.boolean().describe('Nightly backups start once an admin has chosen their passphrase'),
  keep: Int,
  local: BackupFile.nullable().describe("The newest sealed backup in the hub's data folder"),
  usb: z
    .object({ at: z.number(), file: z.string(), device: z.string(), copies: Int })
    .nullable()
    .describe('The last copy to a USB stick labelled HYPHAE-BACKUP'),
  files: z.array(BackupFile),
  overdue: z.boolean().describe('No backup for two days'),
  lastError: z.string().nullable(),
  peers: z
    .array(
      z.object({
        hubId: z.string(),
        name: z.string(),
        file: z.string().nullable().describe('The last backup this linked hub confirmed it keeps'),
        at: z.number().nullable(),
        firstTry: z.number(),
        lastTry: z.number(),
        error: z.string().nullable().describe('Why the last attempt failed; it is tried again every 15 minutes'),
        resumedAt: Millis.describe('Where the last upload started: above zero, it resumed a broken one'),
        overdue: z.boolean(),
      }),
    )
    .describe("Each linked hub that keeps this hub's sealed backups"),
  kept: z
    .array(z.object({ hubId: z.string(), name: z.string(), count: Int, bytes: Int, newestAt: z.number().nullable() }))
    .describe('The sealed backups this hub keeps for its linked hubs (only each owner can read its own)'),
});

const status = api.get('/api/v1/backups', 'Nightly backups (stewards): the last one per destination, and whether one is overdue', {
  answers: ok(BackupStatus, 'Backups', problemResponses),
});
const passphrase = api.put('/api/v1/backups/passphrase', 'Choose the passphrase nightly backups are sealed with (admins); keep it apart from the hub', {
  body: body(z.object({ passphrase: z.string().min(8).max(1024) })),
  answers: { 204: { description: 'Saved' }, ...problemResponses },
});
const runNow = api.post('/api/v1/backups', 'Make a sealed backup now, as the nightly job does (admins); it then goes to the linked hubs in the background', {
  answers: created(BackupFile, 'The backup', problemResponses),
});
const download = api.get('/api/v1/backups/{file}', 'Download one sealed backup (admins)', {
  params: z.object({
    file: z
      .string()
      .regex(/^[A-Za-z0-9._-]+\.backup\.json$/)
      .openapi({ param: { name: 'file', in: 'path' } }),
  }),
  answers: { 200: { description: 'The sealed backup', content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } } }, ...problemResponses },
});

export function registerBackups(app: App, deps: HttpDeps) {
  const backups = () => {
    const b = deps.backups;
    if (!b) throw HubError.general('not-running', 'backups are made by a running hub');
    return b;
  };
  app.openapi(status, (c) => {
    requireRole(c, 'steward');
    return c.json(backups().status(), 200);
  });
  app.openapi(passphrase, (c) => {
    requireRole(c, 'admin');
    backups().setPassphrase(c.req.valid('json').passphrase);
    deps.log.info({ module: 'backups' }, 'backup passphrase chosen');
    return c.body(null, 204);
  });
  app.openapi(runNow, async (c) => {
    requireRole(c, 'admin');
    const made = await backups().run();
    // Linked hubs may be slow or down: the answer does not wait for them (GET shows how each went).
    void backups()
      .pushToPeers()
      .catch((err: unknown) => deps.log.warn({ module: 'backups', err: (err as Error).message }, 'backups to linked hubs failed'));
    return c.json(made, 201);
  });
  app.openapi(download, (c) => {
    requireRole(c, 'admin');
    const { file } = c.req.valid('param');
    const path = backups().path(file);
    c.header('content-disposition', `attachment; filename="${file}"`);
    return c.body(Readable.toWeb(createReadStream(path)) as ReadableStream, 200, { 'content-type': 'application/json' }) as never;
  });
}
