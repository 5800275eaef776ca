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
 * loops or returns nonsense fails that uplink only. The 50 ms limit covers
 * decoding alone. Loading (compiling the script and running its top level)
 * happens once, under a generous limit of its own: on a Pi booting after a
 * power cut the CPU is busy, and a start must never fail because a codec
 * compiled slowly.
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

/**
 * A vendor's file: one script for all its devices (they share their
 * vendor's payload conventions), defining `codecs = { <name>: {decodeUplink,
 * encodeDownlink?} }`, and per device its id, model, units and examples.
 */
export interface VendorFile {
  vendor: string;
  script: string;
  devices: Array<Omit<CodecDefinition, 'vendor' | 'script'> & { codec: string }>;
}

export interface DecodeResult {
  data: Record<string, unknown>;
  warnings: string[];
  errors: string[];
}

export const CODEC_TIME_LIMIT_MS = 50;
/** Only a script whose top level never ends is stopped by this; a slow machine is not. */
export const CODEC_LOAD_TIME_LIMIT_MS = 10_000;

/** A codec that could not be loaded: the hub disables it and starts without it. */
export class CodecLoadError extends Error {
  constructor(
    readonly codecId: string,
    message: string,
  ) {
    super(`codec ${codecId}: ${message}`);
    this.name = 'CodecLoadError';
  }
}

/**
 * A compiled script and its V8 context, shared by the codecs that use it: a
 * vendor's script serves all its devices from one context, so loading the
 * library costs one context per vendor, not per device (a context is most of
 * a codec's start-up time and memory on a Pi).
 */
export class CodecScript {
  private context: vm.Context | undefined;

  constructor(
    readonly file: string,
    private readonly source: string,
  ) {}

  /** Compiles the script and runs its top level, once; throws what went wrong. */
  load(): vm.Context {
    if (this.context) return this.context;
    // A bare context: no require, no process, no timers.
    const context = vm.createContext(Object.create(null), { codeGeneration: { strings: false, wasm: false } });
    new vm.Script(this.source, { filename: this.file }).runInContext(context, { timeout: CODEC_LOAD_TIME_LIMIT_MS });
    return (this.context = context);
  }
}

type DeviceFunctions = { decodeUplink?: unknown; encodeDownlink?: unknown };

export class Codec {
  private readonly script: CodecScript;
  private readonly call: vm.Script;
  private readonly encodeCall: vm.Script;
  private readonly callMany: vm.Script;

  /** Only remembers the script; `load()` compiles it. `entry` names the device's codec in a vendor's script (`codecs[entry]`). */
  constructor(
    readonly definition: CodecDefinition,
    source: string | CodecScript,
    private readonly entry: string | null = null,
  ) {
    this.script = typeof source === 'string' ? new CodecScript(definition.script, source) : source;
    const fn = (name: keyof DeviceFunctions) => (entry === null ? name : `codecs[${JSON.stringify(entry)}].${name}`);
    this.call = new vm.Script(`JSON.stringify(${fn('decodeUplink')}(JSON.parse(__input)))`);
    this.encodeCall = new vm.Script(`JSON.stringify(${fn('encodeDownlink')}(JSON.parse(__input)))`);
    this.callMany = new vm.Script(
      `JSON.stringify(JSON.parse(__input).map(function (i) { try { return ${fn('decodeUplink')}(i); } catch (e) { return { __threw: String(e && e.message || e) }; } }))`,
    );
  }

  /** The device's functions in the loaded context (undefined where the script lacks them). */
  private functions(context: vm.Context): DeviceFunctions | undefined {
    if (this.entry === null) return context as DeviceFunctions;
    const table = (context as { codecs?: Record<string, DeviceFunctions> }).codecs;
    return table && typeof table === 'object' ? table[this.entry] : undefined;
  }

  /**
   * Compiles the script and runs its top level, once (shared with the
   * vendor's other devices). Throws CodecLoadError for a script that does not
   * parse, throws, never ends, or defines no decodeUplink for this device.
   */
  load(): vm.Context {
    let context: vm.Context;
    try {
      context = this.script.load();
    } catch (e) {
      const msg = (e as Error)?.message ?? String(e);
      throw new CodecLoadError(
        this.definition.id,
        /timed out/i.test(msg) ? `its script ran over ${CODEC_LOAD_TIME_LIMIT_MS} ms while loading` : `its script failed to load: ${msg}`,
      );
    }
    if (typeof this.functions(context)?.decodeUplink !== 'function')
      throw new CodecLoadError(
        this.definition.id,
        this.entry === null ? 'the script defines no decodeUplink' : `the script has no codec "${this.entry}" with a decodeUplink`,
      );
    return context;
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
    let context: vm.Context;
    try {
      context = this.load();
    } catch (e) {
      return inputs.map(() => this.failed(e));
    }
    try {
      (context as { __input?: string }).__input = JSON.stringify(
        inputs.map((i) => ({ bytes: Array.from(i.bytes), fPort: i.fPort, variables: i.variables ?? {} })),
      );
      raw = JSON.parse(String(this.callMany.runInContext(context, { timeout: Math.min(1_000, CODEC_TIME_LIMIT_MS * 2 + inputs.length) })));
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
    if (!out || typeof out !== 'object' || typeof out.data !== 'object' || out.data === null)
      return { data: {}, warnings: [], errors: ['the codec returned no data object'] };
    return {
      data: out.data,
      warnings: Array.isArray(out.warnings) ? out.warnings.map(String) : [],
      errors: Array.isArray(out.errors) ? out.errors.map(String) : [],
    };
  }

  /** Whether the codec can make downlinks from objects (it defines encodeDownlink, as TTN's codecs do). */
  get encodes(): boolean {
    try {
      return typeof this.functions(this.load())?.encodeDownlink === 'function';
    } catch {
      return false;
    }
  }

  /**
   * An object made into downlink bytes by the codec's encodeDownlink
   * ({data, variables} → {bytes, fPort, errors}), under the same time limit
   * as decoding. Never throws: problems are in `errors`.
   */
  encode(input: { data: Record<string, unknown>; variables?: Record<string, unknown> }): { bytes: number[]; fPort: number | null; errors: string[] } {
    if (!this.encodes) return { bytes: [], fPort: null, errors: [`codec ${this.definition.id} cannot encode downlinks`] };
    const context = this.load();
    try {
      (context as { __input?: string }).__input = JSON.stringify({ data: input.data, variables: input.variables ?? {} });
      const out = JSON.parse(String(this.encodeCall.runInContext(context, { timeout: CODEC_TIME_LIMIT_MS }))) as {
        bytes?: unknown;
        fPort?: unknown;
        errors?: unknown;
      } | null;
      const errors = Array.isArray(out?.errors) ? out!.errors.map(String) : [];
      const bytes =
        Array.isArray(out?.bytes) && out!.bytes.every((b) => Number.isInteger(b) && (b as number) >= 0 && (b as number) <= 255)
          ? (out!.bytes as number[])
          : null;
      if (!bytes && errors.length === 0) errors.push(`codec ${this.definition.id} returned no bytes`);
      return { bytes: bytes ?? [], fPort: typeof out?.fPort === 'number' ? out.fPort : null, errors };
    } catch (e) {
      const msg = (e as Error)?.message ?? String(e);
      return {
        bytes: [],
        fPort: null,
        errors: [/timed out/i.test(msg) ? `codec ${this.definition.id} ran over ${CODEC_TIME_LIMIT_MS} ms` : `codec ${this.definition.id} failed: ${msg}`],
      };
    }
  }

  /** Never throws: a failing codec is reported in `errors`. */
  decode(input: { bytes: Uint8Array | number[]; fPort: number; variables?: Record<string, unknown> }): DecodeResult {
    let context: vm.Context;
    try {
      context = this.load();
    } catch (e) {
      return this.failed(e);
    }
    try {
      (context as { __input?: string }).__input = JSON.stringify({ bytes: Array.from(input.bytes), fPort: input.fPort, variables: input.variables ?? {} });
      return this.shape(JSON.parse(String(this.call.runInContext(context, { timeout: CODEC_TIME_LIMIT_MS }))) as Partial<DecodeResult> | null);
    } catch (e) {
      const msg = (e as Error)?.message ?? String(e);
      return {
        data: {},
        warnings: [],
        errors: [/timed out/i.test(msg) ? `codec ${this.definition.id} ran over ${CODEC_TIME_LIMIT_MS} ms` : `codec ${this.definition.id} failed: ${msg}`],
      };
    }
  }

  private failed(e: unknown): DecodeResult {
    return { data: {}, warnings: [], errors: [(e as Error)?.message ?? String(e)] };
  }
}

export const BUILT_IN_CODECS_DIR = join(DEFINITIONS_DIR, 'lorawan', 'codecs');

/**
 * The one documented way in: every codec under the folders, by id, each
 * loaded once. A later folder's codec replaces an earlier one of the same id
 * (a neighbourhood's own fix of a shipped codec). A codec that cannot be read
 * or loaded is left out and reported to `onFailure`; the others still load,
 * so one bad file never keeps the hub from starting.
 */
export function loadCodecs(dirs: string | string[] = BUILT_IN_CODECS_DIR, onFailure: (file: string, error: Error) => void = rethrow): Map<string, Codec> {
  const out = new Map<string, Codec>();
  for (const dir of Array.isArray(dirs) ? dirs : [dirs]) {
    let files: string[];
    try {
      files = readdirSync(dir)
        .filter((x) => x.endsWith('.json'))
        .sort();
    } catch (e) {
      onFailure(dir, e as Error);
      continue;
    }
    for (const f of files) {
      let parsed: CodecDefinition | VendorFile;
      try {
        parsed = JSON.parse(readFileSync(join(dir, f), 'utf8')) as CodecDefinition | VendorFile;
      } catch (e) {
        onFailure(join(dir, f), e as Error);
        continue;
      }
      // A vendor's file: its devices share one compiled script and context.
      const vendor = 'devices' in parsed && Array.isArray(parsed.devices) ? parsed : null;
      let shared: CodecScript | undefined;
      const script = (v: VendorFile) => (shared ??= new CodecScript(v.script, readFileSync(join(dir, v.script), 'utf8')));
      const makers: Array<[string, () => Codec]> = vendor
        ? vendor.devices.map(({ codec, ...d }) => [d.id, () => new Codec({ ...d, vendor: vendor.vendor, script: vendor.script }, script(vendor), codec)])
        : [[(parsed as CodecDefinition).id, () => new Codec(parsed as CodecDefinition, readFileSync(join(dir, (parsed as CodecDefinition).script), 'utf8'))]];
      for (const [id, make] of makers) {
        try {
          const codec = make();
          codec.load();
          out.set(codec.definition.id, codec);
        } catch (e) {
          onFailure(`${join(dir, f)}${vendor ? ` (${id})` : ''}`, e as Error);
        }
      }
    }
  }
  return out;
}

function rethrow(_file: string, error: Error): never {
  throw error;
}
