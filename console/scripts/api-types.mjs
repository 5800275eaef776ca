#!/usr/bin/env node
// Writes src/api-types.ts from the OpenAPI document a hub serves, so the
// console shares the API's types without importing device code (see
// ../shared ARCHITECTURE: the console talks to the hub only over /api/v1).
//
//   npm run api-types -w console            regenerate (after npm run build)
//   node console/scripts/api-types.mjs --check   exit 1 if the file is stale
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';

const hyphae = fileURLToPath(new URL('../../device/bin/hyphae.js', import.meta.url));
const target = fileURLToPath(new URL('../src/api-types.ts', import.meta.url));
const doc = JSON.parse(execFileSync(process.execPath, [hyphae, 'openapi'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }));
const text =
  "// Generated from the hub's OpenAPI document by console/scripts/api-types.mjs.\n// Do not edit: change the API's zod schemas, then run `npm run api-types -w console`.\n\n" +
  astToString(await openapiTS(doc));

if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // missing counts as stale
  }
  if (current !== text) {
    console.error('console/src/api-types.ts is not what the API now describes: run `npm run api-types -w console` and commit it.');
    process.exit(1);
  }
  console.log('console/src/api-types.ts matches the API.');
} else {
  writeFileSync(target, text);
  console.log(`wrote ${target} (${Object.keys(doc.paths).length} paths, ${Object.keys(doc.components?.schemas ?? {}).length} schemas)`);
}
