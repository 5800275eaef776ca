#!/usr/bin/env node
// Makes a signed update file for hubs that have no internet: the hub bundle
// (as os-image/build.sh puts on a card, native modules included) packed as
// .tar.gz, with a manifest signed by the release key. Hubs check the
// signature against the key baked into their image.
//
//   node os-image/make-update.mjs --bundle DIR --key RELEASE.pem --version V
//        --changelog FILE [--security] --out hyphae-V.hyphae-update
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { makeUpdate } from '../device/dist/index.js';

const { values: v } = parseArgs({
  options: { bundle: { type: 'string' }, key: { type: 'string' }, version: { type: 'string' }, changelog: { type: 'string' }, security: { type: 'boolean', default: false }, out: { type: 'string' } },
});
for (const k of ['bundle', 'key', 'version', 'changelog', 'out']) {
  if (!v[k]) {
    process.stderr.write(`make-update: --${k} is required\n`);
    process.exit(2);
  }
}
const epoch = process.env.SOURCE_DATE_EPOCH ?? String(Math.floor(Date.now() / 1000));
// The same bundle gives the same bytes: sorted names, fixed times and owners, no gzip timestamp.
const tar = execFileSync('sh', ['-c', 'tar --sort=name --mtime="@$2" --owner=0 --group=0 --numeric-owner -C "$1" -cf - . | gzip -n -9', 'tar', v.bundle, epoch], { maxBuffer: 1024 ** 3 });
const file = makeUpdate(tar, { version: v.version, changelog: readFileSync(v.changelog, 'utf8'), security: v.security, createdAt: Number(epoch) * 1000 }, readFileSync(v.key, 'utf8'));
writeFileSync(v.out, file);
process.stdout.write(`${v.out}: Hyphae ${v.version}${v.security ? ' (security release)' : ''}, ${(file.length / 1024 ** 2).toFixed(1)} MiB, signed\n`);
