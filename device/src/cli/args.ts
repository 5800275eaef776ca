import { parseArgs, type ParseArgsConfig } from 'node:util';

/**
 * Flags for every command. Light on purpose (no config schema): the light
 * commands import only this.
 */

/** A mistake in how the command was called: printed with the usage, exit code 2. */
export class UsageError extends Error {
  /** Said without the usage after it (a file that cannot be read is not a usage mistake). */
  readonly plain: boolean = false;
}

export type Options = NonNullable<ParseArgsConfig['options']>;
/** An option that takes a value (`--port 8080`), and one that is there or not (`--demo`). */
export const TEXT = { type: 'string' } as const;
export const FLAG = { type: 'boolean', default: false } as const;
export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export function parse(argv: string[], options: Options): Parsed {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: values as Parsed['values'], positionals };
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

export function required(values: Record<string, unknown>, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${name} is required`);
  return v;
}

export function intOption(values: Record<string, unknown>, name: string): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isInteger(n)) throw new UsageError(`--${name} must be a whole number`);
  return n;
}
