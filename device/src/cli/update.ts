import { readFileSync, writeFileSync } from 'node:fs';
import { checkUpdate } from '../updates/update-file.js';
import { VERSION } from '../version.js';
import { parse, required, UsageError, TEXT } from './args.js';

/**
 * `hyphae update verify FILE --key PEM [--payload-out F]`: the card's root
 * installer asks the hub that runs now (code it already trusts) to check an
 * update file against the release key baked into the image, and to write
 * out its payload. It prints the manifest as JSON; a file that fails any
 * check exits non-zero with the reason and writes nothing.
 */
export async function updateVerify(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { key: TEXT, 'payload-out': TEXT });
  const file = positionals[0];
  if (!file) throw new UsageError('update verify needs the update FILE');
  const keyFile = required(values, 'key');
  const bytes = readFileSync(file);
  const { manifest, payloadOffset, keyFingerprint } = checkUpdate(bytes, readFileSync(keyFile, 'utf8'), VERSION);
  const out = values['payload-out'];
  if (typeof out === 'string') writeFileSync(out, bytes.subarray(payloadOffset), { mode: 0o600 });
  process.stdout.write(JSON.stringify({ ...manifest, keyFingerprint, running: VERSION }) + '\n');
  return 0;
}
