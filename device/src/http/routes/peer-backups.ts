import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { BACKUP_FILE } from '../../backups/peer-keeper.js';
import { HubError } from '../../errors.js';
import { Nonces, sha256Of, SIGNED, signatureHolds } from '../../federation/signed-request.js';
import type { App, HttpDeps } from '../context.js';
import { component, Int, ok, problemResponses } from '../schemas.js';
import { operations } from '../operations.js';

const api = operations('federation');

/**
 * The sealed backups this hub keeps for its linked hubs (backups/peer-keeper.ts).
 * No session: each request is signed by the owning hub's key over a nonce
 * handed out here, and a hub sees and reads only its own backups. A link that
 * is closed keeps nothing new, but its owner may still fetch what is kept.
 */
const READ_MAX = 1024 * 1024;
const File = z
  .string()
  .regex(BACKUP_FILE)
  .openapi({ param: { name: 'file', in: 'path' } });
const Signed = z.object({
  [SIGNED.hub]: z.string().openapi({ description: "The owning hub's id" }),
  [SIGNED.nonce]: z.string().openapi({ description: 'A nonce from POST /api/v1/federation/backups/nonce, good once' }),
  [SIGNED.signature]: z.string().openapi({ description: 'Ed25519 over "hyphae-request-v1\\nMETHOD\\npath?query\\nnonce\\nsha256(body)", base64url' }),
});
const Kept = component('KeptBackup', { file: z.string(), bytes: Int, sha256: z.string(), at: z.number() });
const Progress = component('BackupUploadProgress', { received: Int, complete: z.boolean() });

const nonce = api.post('/api/v1/federation/backups/nonce', 'A nonce for the next signed backup request (linked hubs)', {
  answers: ok(z.object({ nonce: z.string() }), 'Good once, for two minutes', problemResponses),
});
const list = api.get('/api/v1/federation/backups', "The signing hub's own sealed backups kept here, newest first (signed by that hub)", {
  headers: Signed,
  answers: ok(z.object({ backups: z.array(Kept) }), 'Its backups', problemResponses),
});
const progress = api.get('/api/v1/federation/backups/{file}/progress', 'How much of an upload is here: where to resume (signed by the owning hub)', {
  params: z.object({ file: File }),
  headers: Signed,
  answers: ok(Progress, 'Received so far', problemResponses),
});
const put = api.put(
  '/api/v1/federation/backups/{file}',
  'One chunk of a sealed backup, at its offset (signed by the owning hub); the newest seven per hub are kept',
  {
    params: z.object({ file: File }),
    headers: Signed.extend({
      'x-hyphae-offset': z.coerce.number().int().min(0),
      'x-hyphae-total': z.coerce.number().int().min(1),
      'x-hyphae-sha256': z.string().regex(/^[0-9a-f]{64}$/),
    }),
    body: { content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } }, required: true },
    answers: ok(Progress, 'Received so far', problemResponses),
  },
);
const read = api.get('/api/v1/federation/backups/{file}', "Up to 1 MiB of one of the signing hub's own backups, from an offset (a restore resumes)", {
  params: z.object({ file: File }),
  query: z.object({ offset: z.coerce.number().int().min(0).default(0) }),
  headers: Signed,
  answers: {
    200: {
      description: 'The bytes; x-hyphae-total and x-hyphae-sha256 describe the whole',
      content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } },
    },
    ...problemResponses,
  },
});

export function registerPeerBackups(app: App, deps: HttpDeps) {
  const nonces = new Nonces();
  const keeper = () => {
    if (!deps.peerBackups) throw HubError.general('not-running', 'backups for linked hubs are kept by a running hub');
    return deps.peerBackups;
  };
  /** The linked hub that signed this request, or a refusal; the answer carries the next nonce. */
  const signer = (c: Context, body?: Uint8Array, forWrite = false): string => {
    const hubId = c.req.header(SIGNED.hub) ?? '';
    const n = c.req.header(SIGNED.nonce) ?? '';
    const sig = c.req.header(SIGNED.signature) ?? '';
    const peer = deps.federation?.findPeer(hubId);
    const url = new URL(c.req.url);
    const fresh = nonces.take(n);
    if (!peer || !fresh || !signatureHolds(peer.publicKey, c.req.method, url.pathname + url.search, n, sha256Of(body), sig)) {
      deps.log.warn(
        { module: 'backups', hub: hubId, known: Boolean(peer), freshNonce: fresh },
        'a backup request was refused: not signed by a linked hub over a fresh nonce',
      );
      throw HubError.general('not-signed-by-a-linked-hub', "sign the request with the hub's key over a fresh nonce from POST /api/v1/federation/backups/nonce");
    }
    if (forWrite && peer.status === 'closed') throw HubError.forbidden('the link is closed: this hub keeps no new backups for it');
    c.header(SIGNED.nextNonce, nonces.issue());
    return hubId;
  };

  app.openapi(nonce, (c) => c.json({ nonce: nonces.issue() }, 200));
  app.openapi(list, (c) => c.json({ backups: keeper().list(signer(c)) }, 200));
  app.openapi(progress, (c) => c.json(keeper().progress(signer(c), c.req.valid('param').file), 200));
  app.openapi(put, async (c) => {
    const body = Buffer.from(await c.req.arrayBuffer());
    const owner = signer(c, body, true);
    const h = c.req.valid('header');
    return c.json(
      keeper().put(owner, c.req.valid('param').file, { offset: h['x-hyphae-offset'], total: h['x-hyphae-total'], sha256: h['x-hyphae-sha256'] }, body),
      200,
    );
  });
  app.openapi(read, (c) => {
    const owner = signer(c);
    const part = keeper().read(owner, c.req.valid('param').file, c.req.valid('query').offset, READ_MAX);
    return c.body(new Uint8Array(part.bytes), 200, {
      'content-type': 'application/octet-stream',
      'x-hyphae-total': String(part.total),
      'x-hyphae-sha256': part.sha256,
    }) as never;
  });
}
