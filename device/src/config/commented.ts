import { z } from 'zod';
import { configSchema } from './schema.js';

interface JsonSchema {
  type?: string | string[];
  description?: string;
  default?: unknown;
  properties?: Record<string, JsonSchema>;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  const?: unknown;
}

/**
 * Renders the config schema as a JSON-with-comments file holding every
 * default, each preceded by its description. This is what
 * `hyphae configfile` prints; the hub reads it back unchanged.
 */
export function commentedDefaultConfig(): string {
  const schema = z.toJSONSchema(configSchema, { io: 'input' }) as JsonSchema;
  const defaults = configSchema.parse({}) as Record<string, unknown>;
  const lines: string[] = [];
  lines.push(`// ${schema.description ?? 'Hyphae configuration'}`);
  lines.push('// Every value shown is the default; delete any line to keep the default.');
  lines.push('{');
  renderObject(schema, defaults, '  ', lines);
  lines.push('}');
  return lines.join('\n') + '\n';
}

function renderObject(schema: JsonSchema, value: Record<string, unknown>, indent: string, out: string[]) {
  const keys = Object.keys(value);
  keys.forEach((key, i) => {
    const sub = schema.properties?.[key] ?? {};
    const comma = i < keys.length - 1 ? ',' : '';
    if (sub.description) out.push(`${indent}// ${sub.description}${constraints(sub)}`);
    const v = value[key];
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      out.push(`${indent}${JSON.stringify(key)}: {`);
      renderObject(sub, v as Record<string, unknown>, indent + '  ', out);
      out.push(`${indent}}${comma}`);
    } else {
      out.push(`${indent}${JSON.stringify(key)}: ${JSON.stringify(v)}${comma}`);
    }
  });
}

function constraints(s: JsonSchema): string {
  const parts: string[] = [];
  if (s.enum) parts.push(`one of ${s.enum.map((x) => JSON.stringify(x)).join(', ')}`);
  if (s.minimum !== undefined && s.minimum > Number.MIN_SAFE_INTEGER) parts.push(`min ${s.minimum}`);
  if (s.maximum !== undefined && s.maximum < Number.MAX_SAFE_INTEGER) parts.push(`max ${s.maximum}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}
