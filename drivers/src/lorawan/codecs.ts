import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import vm from 'node:vm';
import { DEFINITIONS_DIR } from './definitions.js';

/**
 * Payload codecs in the TTN / ChirpStack form: a script defining
 * `decodeUplink({bytes, fPort, variables})` that returns
 * `{data, warnings, errors}`, beside a JSON file with its examples.
 *
 * A codec runs in its own V8 context with a time limit: one that throws,
 * loops or returns nonsense fails that uplink only.
 */
export interface CodecExample {
  description: string;
  input: { fPort: number; bytes: number[]; variables?: Record<string, unknown> };
  output: DecodeResult;
}

export interface CodecDefinition {
  id: string;
  vendor: string;
  model: string;
  description: string;
  script: string;
  units: Record<string, string | null>;
  examples: CodecExample[];
}

export interface DecodeResult {
  data: Record<string, unknown>;
  warnings: string[];
  errors: string[];
}

export const CODEC_TIME_LIMIT_MS = 50;

export class Codec {
  private readonly context: vm.Context;
  private readonly call = new vm.Script('JSON.stringify(decodeUplink(JSON.parse(__input)))');
  private readonly callMany = new vm.Script('JSON.stringify(JSON.parse(__input).map(function (i) { try { return decodeUplink(i); } catch (e) { return { __threw: String(e && e.message || e) }; } }))');

  constructor(
    readonly definition: CodecDefinition,
    source: string,
  ) {
    // A bare context: no require, no process, no timers.
    this.context = vm.createContext(Object.create(null), { codeGeneration: { strings: false, wasm: false } });
    new vm.Script(source, { filename: definition.script }).runInContext(this.context, { timeout: CODEC_TIME_LIMIT_MS });
    if (typeof (this.context as { decodeUplink?: unknown }).decodeUplink !== 'function') throw new Error(`${definition.id}: the script defines no decodeUplink`);
  }

  /**
   * Decodes several payloads in one entry into the codec's context. The
   * time limit is enforced by a watchdog thread that Node starts for each
   * entry, and at thousands of uplinks a second that thread costs more than
   * the decoding; one entry per batch keeps the limit and drops the cost.
   * If the batch runs over, each payload is decoded alone, so only the one
   * that loops fails.
   */
  decodeMany(inputs: Array<{ bytes: Uint8Array | number[]; fPort: number; variables?: Record<string, unknown> }>): DecodeResult[] {
    if (inputs.length <= 1) return inputs.map((i) => this.decode(i));
    let raw: unknown;
    try {
      (this.context as { __input?: string }).__input = JSON.stringify(inputs.map((i) => ({ bytes: Array.from(i.bytes), fPort: i.fPort, variables: i.variables ?? {} })));
      raw = JSON.parse(String(this.callMany.runInContext(this.context, { timeout: Math.min(1_000, CODEC_TIME_LIMIT_MS * 2 + inputs.length) })));
    } catch {
      return inputs.map((i) => this.decode(i));
    }
    if (!Array.isArray(raw) || raw.length !== inputs.length) return inputs.map((i) => this.decode(i));
    return raw.map((out: { __threw?: string } & Partial<DecodeResult>) => {
      if (out && typeof out.__threw === 'string') return { data: {}, warnings: [], errors: [`codec ${this.definition.id} failed: ${out.__threw}`] };
      return this.shape(out);
    });
  }

  private shape(out: Partial<DecodeResult> | null): DecodeResult {
    if (!out || typeof out !== 'object' || typeof out.data !== 'object' || out.data === null) return { data: {}, warnings: [], errors: ['the codec returned no data object'] };
    return { data: out.data, warnings: Array.isArray(out.warnings) ? out.warnings.map(String) : [], errors: Array.isArray(out.errors) ? out.errors.map(String) : [] };
  }

  /** Never throws: a failing codec is reported in `errors`. */
  decode(input: { bytes: Uint8Array | number[]; fPort: number; variables?: Record<string, unknown> }): DecodeResult {
    try {
      (this.context as { __input?: string }).__input = JSON.stringify({ bytes: Array.from(input.bytes), fPort: input.fPort, variables: input.variables ?? {} });
      return this.shape(JSON.parse(String(this.call.runInContext(this.context, { timeout: CODEC_TIME_LIMIT_MS }))) as Partial<DecodeResult> | null);
    } catch (e) {
      const msg = (e as Error)?.message ?? String(e);
      return { data: {}, warnings: [], errors: [/timed out/i.test(msg) ? `codec ${this.definition.id} ran over ${CODEC_TIME_LIMIT_MS} ms` : `codec ${this.definition.id} failed: ${msg}`] };
    }
  }
}

/** The one documented way in: every codec under a folder, by id. */
export function loadCodecs(dir = join(DEFINITIONS_DIR, 'lorawan', 'codecs')): Map<string, Codec> {
  const out = new Map<string, Codec>();
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.json')).sort()) {
    const def = JSON.parse(readFileSync(join(dir, f), 'utf8')) as CodecDefinition;
    out.set(def.id, new Codec(def, readFileSync(join(dir, def.script), 'utf8')));
  }
  return out;
}
