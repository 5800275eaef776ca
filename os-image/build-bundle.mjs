#!/usr/bin/env node
// Builds the hub into one self-contained ESM bundle for the SD card, plus
// the device definitions it loads as data and the console assets, and
// prints the sizes. Native modules (LMDB, argon2) stay outside the bundle:
// the bundle's package.json names them for `npm install` on the target.
//
//   node os-image/build-bundle.mjs [--out DIR] [--no-gpio-plugin]   (default os-image/hub/bundle)
//
// The native modules are pinned to the versions in the repository's
// package-lock.json, so an image built twice from one commit installs the
// same ones.
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outIdx = process.argv.indexOf('--out');
// By default into the fleet app's hub service, whose Dockerfile copies it (see os-image/hub/Dockerfile).
const out = resolve(outIdx > 0 ? process.argv[outIdx + 1] : join(root, 'os-image', 'hub', 'bundle'));
mkdirSync(out, { recursive: true });
const NATIVE = ['lmdb', '@node-rs/argon2'];
// johnny-five's IO plugin for the Pi's own pins (config: gpio.io = "raspi-io").
// It builds against pigpio on the target, so it is optional: a hub whose
// build lacks it runs on and logs that its GPIO sensors are off.
// Debian's image has no pigpio (and no /dev/gpiomem), so its build leaves it out.
const RASPI = process.argv.includes('--no-gpio-plugin') ? {} : { 'raspi-io': '^11.0.0' };
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')).packages;
const pinned = (name) => lock[`node_modules/${name}`]?.version ?? deps[name];

const deps = JSON.parse(readFileSync(join(root, 'device', 'package.json'), 'utf8')).dependencies;
const result = await build({
  entryPoints: [join(root, 'device', 'dist', 'cli', 'main.js')],
  outfile: join(out, 'hyphae.mjs'),
  bundle: true,
  platform: 'node',
  // ESM builds first: some packages' UMD builds require files by computed names.
  mainFields: ['module', 'main'],
  target: 'node20',
  format: 'esm',
  external: [...NATIVE, 'serialport', '@serialport/*', '@hyphae/test-rig/*', 'raspi-io'],
  // CommonJS dependencies inside an ESM bundle need require; definitions sit beside the bundle.
  banner: {
    js: [
      "import { createRequire as __hyphaeRequire } from 'node:module';",
      'const require = __hyphaeRequire(import.meta.url);',
      "process.env.HYPHAE_DEFINITIONS ??= new URL('./definitions/', import.meta.url).pathname;",
      "process.env.HYPHAE_CONSOLE_DIR ??= new URL('./console/', import.meta.url).pathname;",
    ].join('\n'),
  },
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
});
// The flow engine's solver thread (device/src/flow/solver-thread.ts) starts this file, which it looks for beside hyphae.mjs.
await build({
  entryPoints: [join(root, 'device', 'dist', 'flow', 'solver-worker.js')],
  outfile: join(out, 'solver-worker.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  logLevel: 'warning',
});
cpSync(join(root, 'drivers', 'definitions'), join(out, 'definitions'), { recursive: true });
const consoleDist = join(root, 'console', 'dist');
if (existsSync(consoleDist)) cpSync(consoleDist, join(out, 'console'), { recursive: true });
writeFileSync(join(out, 'package.json'), JSON.stringify({ name: 'hyphae-hub', version: JSON.parse(readFileSync(join(root, 'device', 'package.json'), 'utf8')).version, type: 'module', private: true, dependencies: Object.fromEntries(NATIVE.map((n) => [n, pinned(n)])), optionalDependencies: RASPI }, null, 2) + '\n');
// The hub reads its version from ../package.json relative to its own file; in the bundle that is this one.
const size = statSync(join(out, 'hyphae.mjs')).size;
const gz = gzipSync(readFileSync(join(out, 'hyphae.mjs'))).length;
const count = (d) => readdirSync(d, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? count(join(d, e.name)) : 1), 0);
process.stdout.write(`bundle ${join(out, 'hyphae.mjs')}: ${(size / 1024).toFixed(0)} KiB (${(gz / 1024).toFixed(0)} KiB gzip), ${Object.keys(result.metafile.inputs).length} modules; ${count(join(out, 'definitions'))} definition files${existsSync(consoleDist) ? '; console assets copied' : '; no console build found'}\n`);
