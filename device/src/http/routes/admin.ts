import { z } from '@hono/zod-openapi';
import type { BackupDocument } from '../../backup.js';
import { isSealedBackup, openBackup, sealBackup } from '../../crypto-box.js';
import { HubError } from '../../errors.js';
import { verifyLedger } from '../../ledger/verify.js';
import { requireRole, type App, type HttpDeps } from '../context.js';
import { Int, json, ok, problemResponses, VerifyReport } from '../schemas.js';
import { body, operations } from '../operations.js';

const ledgerApi = operations('ledger');
const hubApi = operations('hub');

const verify = ledgerApi.get('/api/v1/ledger/verify', 'Check the journal chain, zero-sum and every balance by replay (stewards)', {
  answers: ok(VerifyReport, 'The report; ok is false if anything is wrong', problemResponses),
});

const demurrage = ledgerApi.post('/api/v1/ledger/demurrage', 'Bring demurrage forward for every account now, as the nightly job does (admins)', {
  answers: ok(z.object({ accounts: Int, decayed: z.record(z.string(), Int) }), 'What decayed into the fund', problemResponses),
});

const exportAll = hubApi.get('/api/v1/export', 'All community data as JSON (stewards)', {
  answers: ok(z.record(z.string(), z.unknown()), 'Everything the hub holds, without password hashes', problemResponses),
});

const Passphrase = z.object({
  'x-backup-passphrase': z
    .string()
    .min(8)
    .max(1024)
    .openapi({ description: 'The passphrase the backup is sealed with (at least 8 characters); keep it apart from the file' }),
});

const backup = hubApi.get(
  '/api/v1/backup',
  'A consistent snapshot of the whole hub with its identity key (admins), sealed with the passphrase given (scrypt and AES-256-GCM, the format hyphae-provision backup writes); the key never leaves the hub in the clear',
  { headers: Passphrase, answers: ok(z.record(z.string(), z.unknown()), 'The sealed backup', problemResponses) },
);

const restore = hubApi.post(
  '/api/v1/restore',
  'Stage a backup on a blank hub (admins); the hub restarts into it. A sealed backup is opened with the X-Backup-Passphrase header',
  {
    headers: Passphrase.partial(),
    body: body(z.record(z.string(), z.unknown())),
    answers: {
      202: json(z.object({ staged: z.literal(true), restarting: z.boolean() }), 'Staged'),
      ...problemResponses,
      409: { description: 'Not a blank hub' },
    },
  },
);

export function registerAdmin(app: App, deps: HttpDeps) {
  app.openapi(backup, async (c) => {
    requireRole(c, 'admin');
    const h = deps.hubInfo;
    if (!h) throw HubError.general('not-running', 'backups are made by a running hub');
    const passphrase = c.req.valid('header')['x-backup-passphrase'];
    const doc = await h.backup();
    const sealed = sealBackup(Buffer.from(JSON.stringify(doc)), passphrase, { hubId: doc.hubId, createdAt: doc.createdAt });
    c.header('content-disposition', `attachment; filename="hyphae-${h.identity.hubId}.backup.json"`);
    return c.json(sealed as unknown as Record<string, unknown>, 200);
  });
  app.openapi(restore, async (c) => {
    requireRole(c, 'admin');
    const h = deps.hubInfo;
    if (!h) throw HubError.general('not-running', 'restores go to a running hub');
    const body = c.req.valid('json');
    const passphrase = c.req.valid('header')['x-backup-passphrase'];
    let doc = body as unknown as BackupDocument;
    if (isSealedBackup(body)) {
      if (!passphrase) throw HubError.badRequest('this backup is sealed: give its passphrase in X-Backup-Passphrase');
      doc = JSON.parse(openBackup(body, passphrase).toString('utf8')) as BackupDocument;
    }
    h.restore(doc);
    deps.log.warn({ module: 'hub' }, 'a backup was staged; restarting into it');
    return c.json({ staged: true as const, restarting: true }, 202);
  });

  app.openapi(verify, (c) => {
    requireRole(c, 'steward');
    return c.json(verifyLedger(deps.ledger), 200);
  });

  app.openapi(demurrage, async (c) => {
    requireRole(c, 'admin');
    return c.json(await deps.ledger.materialiseDemurrage(), 200);
  });

  app.openapi(exportAll, (c) => {
    requireRole(c, 'steward');
    c.header('content-disposition', 'attachment; filename="hyphae-export.json"');
    return c.json(deps.exportData() as Record<string, unknown>, 200);
  });
}
