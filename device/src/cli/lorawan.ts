import { loadCodecs, lora, msb, parseFrame, FrameError } from '@hyphae/drivers/lorawan';
import { parse, UsageError } from './args.js';
import { InputFileError } from './flow.js';

const hexArg = (v: unknown, name: string, len?: number): Buffer => {
  if (typeof v !== 'string' || !/^([0-9a-fA-F]{2})+$/.test(v) || (len && v.length !== len * 2)) throw new UsageError(`--${name} must be ${len ? `${len * 2} ` : ''}hex digits`);
  return Buffer.from(v, 'hex');
};

/** hyphae lorawan decode --hex HEX [--nwkskey K --appskey K] [--fcnt-msb N] */
export async function lorawanDecode(argv: string[]): Promise<number> {
  const { values } = parse(argv, { hex: { type: 'string' }, nwkskey: { type: 'string' }, appskey: { type: 'string' } });
  const phy = hexArg(values.hex, 'hex');
  let p;
  try {
    p = parseFrame(phy);
  } catch (e) {
    throw new InputFileError(e instanceof FrameError ? e.message : String(e));
  }
  const mType = p.getMType();
  if (mType === 'Join Request') {
    process.stdout.write(JSON.stringify({ mType, joinEui: p.AppEUI!.toString('hex'), devEui: p.DevEUI!.toString('hex'), devNonce: p.DevNonce!.readUInt16BE(0) }) + '\n');
    return 0;
  }
  const nwk = values.nwkskey !== undefined ? hexArg(values.nwkskey, 'nwkskey', 16) : null;
  const app = values.appskey !== undefined ? hexArg(values.appskey, 'appskey', 16) : null;
  const fCnt = p.getFCnt();
  const out: Record<string, unknown> = {
    mType,
    devAddr: p.DevAddr?.toString('hex') ?? null,
    fCnt,
    fPort: p.getFPort(),
    micValid: nwk ? lora.verifyMIC(p, nwk, undefined, msb(fCnt ?? 0)) : null,
    payload: p.FRMPayload?.toString('hex') ?? null,
  };
  if (nwk && app && p.FRMPayload && p.FRMPayload.length > 0) out.payload = lora.decrypt(p, app, nwk).toString('hex');
  if (p.FOpts && p.FOpts.length) out.fOpts = p.FOpts.toString('hex');
  process.stdout.write(JSON.stringify(out) + '\n');
  return 0;
}

/** hyphae codec run --codec ID --fport N --hex HEX */
export async function codecRun(argv: string[]): Promise<number> {
  const { values } = parse(argv, { codec: { type: 'string' }, fport: { type: 'string' }, hex: { type: 'string' }, variables: { type: 'string' } });
  const codecs = loadCodecs();
  const codec = codecs.get(String(values.codec ?? ''));
  if (!codec) throw new UsageError(`--codec must be one of ${[...codecs.keys()].join(', ')}`);
  const fPort = Number(values.fport);
  if (!Number.isInteger(fPort) || fPort < 0 || fPort > 255) throw new UsageError('--fport must be 0–255');
  let variables: Record<string, unknown> = {};
  if (typeof values.variables === 'string') {
    try {
      variables = JSON.parse(values.variables) as Record<string, unknown>;
    } catch {
      throw new UsageError('--variables must be JSON');
    }
  }
  const result = codec.decode({ bytes: hexArg(values.hex, 'hex'), fPort, variables });
  process.stdout.write(JSON.stringify(result) + '\n');
  return result.errors.length ? 1 : 0;
}

export async function codecList(): Promise<number> {
  const rows = [...loadCodecs().values()].map((c) => ({ id: c.definition.id, vendor: c.definition.vendor, model: c.definition.model, description: c.definition.description, examples: c.definition.examples.length }));
  process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
  return 0;
}
