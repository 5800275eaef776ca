import { readFileSync } from 'node:fs';
import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { HubError } from '../errors.js';
import { configSchema, CONFIG_VERSION, type HubConfig } from './schema.js';

/**
 * Migrations of the config file format. Each takes the object of version N
 * and returns version N+1. They run in memory only: the user's file (and its
 * comments) is never rewritten.
 */
const migrations: Record<number, (old: Record<string, unknown>) => Record<string, unknown>> = {
  // 0 → 1: files written before the version field existed.
  0: (old) => ({ ...old, version: 1 }),
};

export function migrateConfig(raw: Record<string, unknown>): { config: Record<string, unknown>; from: number } {
  const from = typeof raw.version === 'number' ? raw.version : 0;
  if (from > CONFIG_VERSION) {
    throw HubError.badRequest(`config version ${from} is newer than this hub understands (${CONFIG_VERSION}); upgrade the hub`);
  }
  let cur = raw;
  for (let v = from; v < CONFIG_VERSION; v++) {
    const step = migrations[v];
    if (!step) throw HubError.badRequest(`no migration from config version ${v}`);
    cur = step(cur);
  }
  return { config: cur, from };
}

/** Parses JSON-with-comments config text and validates it against the schema. */
export function parseConfig(text: string, source = 'config'): HubConfig {
  const errors: ParseError[] = [];
  const raw: unknown = parse(text, errors, { allowTrailingComma: true });
  const e = errors[0];
  if (e) {
    throw HubError.badRequest(`${source}: ${printParseErrorCode(e.error)} at offset ${e.offset}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw HubError.badRequest(`${source}: the top level must be an object`);
  }
  const { config } = migrateConfig(raw as Record<string, unknown>);
  const result = configSchema.safeParse(config);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw HubError.badRequest(`${source}: ${lines.join('; ')}`);
  }
  return result.data;
}

export function loadConfigFile(path: string): HubConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw HubError.badRequest(`cannot read config file ${path}: ${(e as Error).message}`);
  }
  return parseConfig(text, path);
}
