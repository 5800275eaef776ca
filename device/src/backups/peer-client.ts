import { createHash } from 'node:crypto';
import { z } from 'zod';
import { SIGNED, signRequest } from '../federation/signed-request.js';
import type { HubIdentity } from '../identity.js';

/**
 * One hub's side of the backup exchange with a linked hub that keeps its
 * sealed backups: upload in chunks that resume where the keeper stopped,
 * list, and download (again in resumable chunks). Every request is signed
 * with the hub's key over a nonce the keeper handed out (signed-request.ts),
 * which is how a new card, holding only the key's recovery phrase, proves it
 * is the hub whose backups it asks for.
 */
export const CHUNK_BYTES = 256 * 1024;
export const BACKUPS_PATH = '/api/v1/federation/backups';

const Kept = z.object({ file: z.string(), bytes: z.number().int(), sha256: z.string(), at: z.number() });
const Progress = z.object({ received: z.number().int(), complete: z.boolean() });
export type KeptOnPeer = z.infer<typeof Kept>;

export class PeerBackupError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export class PeerBackupClient {
  private nonce: string | null = null;
  private readonly base: string;

  constructor(
    url: string,
    private readonly identity: HubIdentity,
    private readonly timeoutMs = 30_000,
  ) {
    this.base = url.replace(/\/$/, '');
  }

  private async freshNonce(): Promise<string> {
    if (this.nonce) {
      const n = this.nonce;
      this.nonce = null;
      return n;
    }
    const res = await fetch(`${this.base}${BACKUPS_PATH}/nonce`, { method: 'POST', signal: AbortSignal.timeout(this.timeoutMs), redirect: 'error' });
    if (!res.ok) throw await PeerBackupClient.refusal(res);
    return z.object({ nonce: z.string() }).parse(await res.json()).nonce;
  }

  private static async refusal(res: Response): Promise<PeerBackupError> {
    const p = (await res.json().catch(() => ({}))) as { title?: string; detail?: string };
    return new PeerBackupError(`the linked hub answered ${res.status}${p.title ? `: ${p.title}` : ''}${p.detail ? ` (${p.detail})` : ''}`, res.status);
  }

  private async signed(method: 'GET' | 'PUT', pathAndQuery: string, body?: Buffer, headers: Record<string, string> = {}): Promise<Response> {
    const nonce = await this.freshNonce();
    const res = await fetch(`${this.base}${pathAndQuery}`, {
      method,
      headers: {
        ...signRequest(this.identity, method, pathAndQuery, nonce, body),
        ...headers,
        ...(body ? { 'content-type': 'application/octet-stream' } : {}),
      },
      body: body ? new Uint8Array(body) : undefined,
      signal: AbortSignal.timeout(this.timeoutMs),
      redirect: 'error',
    });
    this.nonce = res.headers.get(SIGNED.nextNonce);
    if (!res.ok) throw await PeerBackupClient.refusal(res);
    return res;
  }

  /** The hub's own backups that the linked hub keeps, newest first. */
  async list(): Promise<KeptOnPeer[]> {
    const res = await this.signed('GET', BACKUPS_PATH);
    return z.object({ backups: z.array(Kept) }).parse(await res.json()).backups;
  }

  /** Sends a sealed backup, from wherever the keeper's copy stops; returns the bytes actually sent. */
  async upload(file: string, data: Buffer, onProgress?: (received: number, total: number) => void): Promise<{ sent: number; resumedAt: number }> {
    const path = `${BACKUPS_PATH}/${encodeURIComponent(file)}`;
    const sha256 = createHash('sha256').update(data).digest('hex');
    let at = Progress.parse(await (await this.signed('GET', `${path}/progress`)).json());
    const resumedAt = at.complete ? data.length : at.received;
    let sent = 0;
    while (!at.complete) {
      const chunk = data.subarray(at.received, at.received + CHUNK_BYTES);
      const res = await this.signed('PUT', path, chunk, {
        'x-hyphae-offset': String(at.received),
        'x-hyphae-total': String(data.length),
        'x-hyphae-sha256': sha256,
      });
      sent += chunk.length;
      at = Progress.parse(await res.json());
      onProgress?.(at.received, data.length);
    }
    return { sent, resumedAt };
  }

  /** Fetches one of the hub's own backups in chunks, checking it against the hash the keeper holds. */
  async download(file: string, onProgress?: (received: number, total: number) => void): Promise<Buffer> {
    const parts: Buffer[] = [];
    let received = 0;
    let total = Infinity;
    let sha256 = '';
    while (received < total) {
      const res = await this.signed('GET', `${BACKUPS_PATH}/${encodeURIComponent(file)}?offset=${received}`);
      total = Number(res.headers.get('x-hyphae-total'));
      sha256 = res.headers.get('x-hyphae-sha256') ?? '';
      const part = Buffer.from(await res.arrayBuffer());
      if (part.length === 0 && received < total) throw new PeerBackupError('the linked hub sent nothing more', 502);
      parts.push(part);
      received += part.length;
      onProgress?.(received, total);
    }
    const whole = Buffer.concat(parts);
    if (createHash('sha256').update(whole).digest('hex') !== sha256) throw new PeerBackupError('the downloaded backup does not match its hash', 502);
    return whole;
  }
}
