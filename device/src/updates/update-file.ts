import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { rawPublicKey } from '../identity.js';
import { refuse } from './contract.js';

/**
 * A software update for hubs with no internet: one file that arrives on a USB
 * stick or is uploaded from the stewards' page. It is signed with the
 * project's release key (Ed25519); each card carries the public half, and
 * nothing unsigned, altered or older than what runs is ever installed.
 *
 *   hyphae-update 1\n
 *   <the manifest, one line of JSON>\n
 *   <Ed25519 signature of that line, base64>\n
 *   <payload: a .tar.gz of the hub bundle (/opt/hyphae)>
 */
export const UPDATE_MAGIC = 'hyphae-update 1';

export const UpdateManifest = z.object({
  version: z.string().regex(/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/, 'a version like 1.4.2'),
  /** A security release is installed at once, with stewards told; others wait for the community's decision. */
  security: z.boolean().default(false),
  changelog: z.string().max(20_000),
  payload: z.object({ kind: z.literal('bundle'), sha256: z.string().regex(/^[0-9a-f]{64}$/), bytes: z.number().int().positive() }),
  createdAt: z.number().int(),
});
export type UpdateManifest = z.infer<typeof UpdateManifest>;

export interface ParsedUpdate {
  manifest: UpdateManifest;
  /** Where the payload starts in the file. */
  payloadOffset: number;
  /** The release key's fingerprint (first 16 hex digits of its sha256), for showing. */
  keyFingerprint: string;
}

export function keyFingerprint(key: KeyObject): string {
  return createHash('sha256').update(rawPublicKey(key)).digest('hex').slice(0, 16);
}

function refused(why: string): never {
  throw refuse('update-refused', why);
}

/** Checks an update file against the release key: its signature, its payload's checksum, and that it is newer than `current`. */
export function checkUpdate(file: Buffer, releaseKeyPem: string, current: string): ParsedUpdate {
  const lines: number[] = [];
  for (let at = 0; lines.length < 3; at++) {
    const nl = file.indexOf(0x0a, at);
    if (nl < 0 || nl > 64 * 1024) refused('this is not a Hyphae update file');
    lines.push(nl);
    at = nl;
  }
  const [l1, l2, l3] = lines as [number, number, number];
  if (file.subarray(0, l1).toString('utf8') !== UPDATE_MAGIC) refused('this is not a Hyphae update file (or one made for a newer hub)');
  const manifestBytes = file.subarray(l1 + 1, l2);
  const signature = Buffer.from(file.subarray(l2 + 1, l3).toString('ascii'), 'base64');
  const key = createPublicKey(releaseKeyPem);
  if (signature.length !== 64 || !verify(null, manifestBytes, key, signature))
    refused('its signature does not match the release key this hub trusts: it was not made by the project, or it was changed');
  let manifest: UpdateManifest;
  try {
    manifest = UpdateManifest.parse(JSON.parse(manifestBytes.toString('utf8')));
  } catch (e) {
    refused(`its manifest is not readable: ${(e as Error).message}`);
  }
  const payload = file.subarray(l3 + 1);
  if (payload.length !== manifest.payload.bytes || createHash('sha256').update(payload).digest('hex') !== manifest.payload.sha256)
    refused('its contents do not match its signed checksum: the file is damaged or incomplete');
  if (compareVersions(manifest.version, current) <= 0) refused(`it is version ${manifest.version}, and this hub already runs ${current}`);
  return { manifest, payloadOffset: l3 + 1, keyFingerprint: keyFingerprint(key) };
}

/** Makes an update file (the project's release tool; tests). */
export function makeUpdate(
  payload: Buffer,
  meta: { version: string; changelog: string; security?: boolean; createdAt?: number },
  releaseKeyPem: string,
): Buffer {
  const manifest: UpdateManifest = UpdateManifest.parse({
    version: meta.version,
    security: meta.security ?? false,
    changelog: meta.changelog,
    payload: { kind: 'bundle', sha256: createHash('sha256').update(payload).digest('hex'), bytes: payload.length },
    createdAt: meta.createdAt ?? Date.now(),
  });
  const line = Buffer.from(JSON.stringify(manifest), 'utf8');
  const signature = sign(null, line, createPrivateKey(releaseKeyPem)).toString('base64');
  return Buffer.concat([Buffer.from(`${UPDATE_MAGIC}\n`), line, Buffer.from(`\n${signature}\n`), payload]);
}

/** Semantic-version order (pre-releases sort before their release). */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const [core, pre] = v.split('-', 2) as [string, string | undefined];
    return { nums: core.split('.').map((n) => Number(n) || 0), pre };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++) if ((x.nums[i] ?? 0) !== (y.nums[i] ?? 0)) return (x.nums[i] ?? 0) - (y.nums[i] ?? 0);
  if (x.pre === y.pre) return 0;
  if (x.pre === undefined) return 1;
  if (y.pre === undefined) return -1;
  return x.pre < y.pre ? -1 : 1;
}
