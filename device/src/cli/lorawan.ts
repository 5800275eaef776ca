import {
  dataFrameMicOk,
  decryptPayload,
  loadCodecs,
  lora,
  parseFrame,
  readCfList,
  readMacCommands,
  FrameError,
  type LoraPacket,
} from '@hyphae/drivers/lorawan';
import { parse, UsageError, TEXT, FLAG } from './args.js';
import { InputFileError } from './flow.js';

const hexArg = (v: unknown, name: string, len?: number): Buffer => {
  if (typeof v !== 'string' || !/^([0-9a-fA-F]{2})+$/.test(v) || (len && v.length !== len * 2))
    throw new UsageError(`--${name} must be ${len ? `${len * 2} ` : ''}hex digits`);
  return Buffer.from(v, 'hex');
};

/**
 * hyphae lorawan decode --hex HEX [--nwkskey K] [--appskey K] [--appkey K] [--fcnt-msb N] [--explain]
 *
 * Prints what a frame says. Nothing encrypted is ever printed as if it were
 * clear: without the key that opens it, a field is left out, `encrypted`
 * names what is missing, and `payloadDecrypted` says which it is. JSON by
 * default; `--explain` prints one field per line, for an installer reading
 * a frame at a gateway.
 */
export async function lorawanDecode(argv: string[]): Promise<number> {
  const { values } = parse(argv, { hex: TEXT, nwkskey: TEXT, appskey: TEXT, appkey: TEXT, 'fcnt-msb': TEXT, explain: FLAG });
  const phy = hexArg(values.hex, 'hex');
  const key = (name: 'nwkskey' | 'appskey' | 'appkey') => (values[name] !== undefined ? hexArg(values[name], name, 16) : null);
  const [nwk, app, appKey] = [key('nwkskey'), key('appskey'), key('appkey')];
  let fCntMsb = 0;
  if (values['fcnt-msb'] !== undefined) {
    fCntMsb = Number(values['fcnt-msb']);
    if (!Number.isInteger(fCntMsb) || fCntMsb < 0 || fCntMsb > 0xffff)
      throw new UsageError('--fcnt-msb must be the upper 16 bits of the frame counter, 0–65535');
  }
  let p;
  try {
    p = parseFrame(phy);
  } catch (e) {
    throw new InputFileError(e instanceof FrameError ? e.message : String(e));
  }
  const mType = p.getMType();
  let out: Record<string, unknown>;
  if (mType === 'Join Request') {
    out = {
      mType,
      joinEui: field(p.AppEUI, 'AppEUI').toString('hex'),
      devEui: field(p.DevEUI, 'DevEUI').toString('hex'),
      devNonce: field(p.DevNonce, 'DevNonce').readUInt16BE(0),
      micValid: appKey ? lora.verifyMIC(p, undefined as unknown as Buffer, appKey) : null,
    };
  } else if (mType === 'Join Accept') {
    out = joinAccept(p, appKey);
  } else {
    out = dataFrame(p, { nwk, app, fCntMsb });
  }
  process.stdout.write(values.explain ? explain(out).join('\n') + '\n' : JSON.stringify(out) + '\n');
  return 0;
}

/**
 * One line per field, nested fields by their path ("fOpts 1 DevStatusAns:
 * battery 200, margin -3"): MAC commands by name with their fields, lists
 * item by item.
 */
export function explain(value: unknown, path = ''): string[] {
  const label = path ? `${path}: ` : '';
  if (value === null || value === undefined) return [`${label}—`];
  if (Array.isArray(value)) return value.length === 0 ? [`${label}none`] : value.flatMap((v, i) => explain(v, `${path} ${i + 1}`.trim()));
  if (typeof value !== 'object') return [`${label}${String(value)}`];
  const o = value as Record<string, unknown>;
  // A MAC command: its name and fields on one line.
  if (typeof o.name === 'string' && typeof o.cid === 'number' && o.fields && typeof o.fields === 'object') {
    const fields = Object.entries(o.fields as Record<string, unknown>)
      .map(([k, v]) => `${k} ${String(v)}`)
      .join(', ');
    return [`${path} ${o.name}${fields ? `: ${fields}` : ''}`.trim()];
  }
  // MAC commands as read: the commands, then what could not be read.
  if (Array.isArray(o.commands) && 'unread' in o) return [...explain(o.commands, path), ...(o.unread ? [`${path} unread: ${String(o.unread)}`] : [])];
  return Object.entries(o).flatMap(([k, v]) => explain(v, path ? `${path} ${k}` : k));
}

/** A field the frame's type must have: a frame without it is refused like any other bad input. */
function field(value: Buffer | undefined, name: string): Buffer {
  if (!value?.length) throw new InputFileError(`the frame has no ${name}`);
  return value;
}

function joinAccept(p: LoraPacket, appKey: Buffer | null): Record<string, unknown> {
  // A JoinAccept is encrypted whole with the AppKey: its fields mean nothing without it.
  if (!appKey) return { mType: 'Join Accept', encrypted: 'the whole frame: give --appkey to read it' };
  const clear = lora.fromWire(lora.decryptJoinAccept(p, appKey));
  const dl = field(clear.DLSettings, 'DLSettings').readUInt8(0);
  const cfList = clear.CFList && clear.CFList.length === 16 ? clear.CFList : null;
  return {
    mType: 'Join Accept',
    micValid: lora.verifyMIC(clear, undefined as unknown as Buffer, appKey),
    appNonce: field(clear.AppNonce, 'AppNonce').toString('hex'),
    netId: field(clear.NetID, 'NetID').toString('hex'),
    devAddr: field(clear.DevAddr, 'DevAddr').toString('hex'),
    rx1DrOffset: (dl >> 4) & 0x07,
    rx2DataRate: dl & 0x0f,
    rxDelay: Math.max(1, field(clear.RxDelay, 'RxDelay').readUInt8(0) & 0x0f),
    // CFList type 0 (EU868 and the like) lists up to five more channels; type 1 (US915, AU915, CN470) is a channel mask.
    cfList: cfList ? describeCfList(cfList) : null,
  };
}

function describeCfList(b: Buffer): Record<string, unknown> {
  const c = readCfList(b);
  if (c?.type === 'frequencies') return { type: c.type, channels: c.mhz.map((f) => Math.round(f * 1e6)) };
  if (c?.type === 'channel-mask') return { type: c.type, enabled: c.channels };
  return { hex: b.toString('hex') };
}

function dataFrame(p: LoraPacket, k: { nwk: Buffer | null; app: Buffer | null; fCntMsb: number }): Record<string, unknown> {
  const f16 = p.getFCnt() ?? 0;
  const fCnt = k.fCntMsb * 0x10000 + f16;
  const fPort = p.getFPort();
  const dir = p.getDir() === 'down' ? 'down' : 'up';
  const encrypted: string[] = [];
  const out: Record<string, unknown> = {
    mType: p.getMType(),
    devAddr: p.DevAddr?.toString('hex') ?? null,
    fCnt,
    fPort,
    adr: p.getFCtrlADR(),
    ack: p.getFCtrlACK(),
    micValid: k.nwk ? dataFrameMicOk(field(p.PHYPayload, 'PHYPayload'), k.nwk, fCnt) : null,
  };
  // Port 0 carries MAC commands encrypted with the NwkSKey; other ports the application's data with the AppSKey.
  const payloadKey = fPort === 0 ? k.nwk : k.app;
  if (p.FRMPayload && p.FRMPayload.length > 0) {
    if (payloadKey) {
      const clear = decryptPayload(p, k.app ?? Buffer.alloc(16), k.nwk ?? Buffer.alloc(16), fCnt);
      out.payload = clear.toString('hex');
      out.payloadDecrypted = true;
      if (fPort === 0) out.macCommands = readMacCommands(clear, dir);
    } else {
      out.payloadDecrypted = false;
      encrypted.push(`the payload: give --${fPort === 0 ? 'nwkskey' : 'appskey'} to read it`);
    }
  } else out.payload = null;
  if (p.FOpts && p.FOpts.length > 0) out.fOpts = readMacCommands(p.FOpts, dir);
  if (!k.nwk) encrypted.push('the MIC is not checked: give --nwkskey');
  if (encrypted.length > 0) out.encrypted = encrypted;
  return out;
}

/** hyphae codec run --codec ID --fport N --hex HEX */
export async function codecRun(argv: string[]): Promise<number> {
  const { values } = parse(argv, { codec: TEXT, fport: TEXT, hex: TEXT, variables: TEXT });
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
  const rows = [...loadCodecs().values()].map((c) => ({
    id: c.definition.id,
    vendor: c.definition.vendor,
    model: c.definition.model,
    description: c.definition.description,
    examples: c.definition.examples.length,
  }));
  process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
  return 0;
}
