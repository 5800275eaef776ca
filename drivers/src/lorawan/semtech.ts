/**
 * The Semtech UDP packet-forwarder protocol (version 2), as spoken by
 * concentrators' packet forwarders:
 *
 *   byte 0 version (2) · bytes 1–2 random token · byte 3 identifier ·
 *   bytes 4–11 gateway EUI (up-stream messages) · JSON body where there is one.
 */
export const PROTOCOL_VERSION = 2;

export const PUSH_DATA = 0x00;
export const PUSH_ACK = 0x01;
export const PULL_DATA = 0x02;
export const PULL_RESP = 0x03;
export const PULL_ACK = 0x04;
export const TX_ACK = 0x05;

/** Error codes a gateway may put in TX_ACK's txpk_ack.error. */
export const TX_ACK_ERRORS = ['NONE', 'TOO_LATE', 'TOO_EARLY', 'COLLISION_PACKET', 'COLLISION_BEACON', 'TX_FREQ', 'TX_POWER', 'GPS_UNLOCKED'] as const;
export type TxAckError = (typeof TX_ACK_ERRORS)[number];

export interface Rxpk {
  time?: string;
  tmms?: number;
  tmst: number;
  freq: number;
  chan?: number;
  rfch?: number;
  stat?: number;
  modu: string;
  datr: string;
  codr?: string;
  rssi: number;
  lsnr?: number;
  size: number;
  data: string;
}

export interface Txpk {
  imme?: boolean;
  tmst?: number;
  freq: number;
  rfch: number;
  powe: number;
  modu: 'LORA';
  datr: string;
  codr: string;
  ipol: boolean;
  size: number;
  data: string;
  ncrc?: boolean;
}

export type UpMessage =
  | { type: 'PUSH_DATA'; token: number; gateway: string; rxpk: Rxpk[]; stat: Record<string, unknown> | null }
  | { type: 'PULL_DATA'; token: number; gateway: string }
  | { type: 'TX_ACK'; token: number; gateway: string; error: TxAckError };

export class ProtocolError extends Error {
  constructor(
    message: string,
    readonly kind: 'malformed-udp' | 'malformed-json',
  ) {
    super(message);
  }
}

/** Parses one datagram from a gateway; throws ProtocolError on anything malformed. */
export function parseUp(buf: Buffer): UpMessage {
  if (buf.length < 4) throw new ProtocolError(`datagram of ${buf.length} bytes is too short`, 'malformed-udp');
  if (buf[0] !== PROTOCOL_VERSION) throw new ProtocolError(`protocol version ${buf[0]} is not 2`, 'malformed-udp');
  const token = buf.readUInt16BE(1);
  const id = buf[3];
  if (id !== PUSH_DATA && id !== PULL_DATA && id !== TX_ACK)
    throw new ProtocolError(`identifier 0x${id!.toString(16)} is not an up-stream message`, 'malformed-udp');
  if (buf.length < 12) throw new ProtocolError('no gateway EUI', 'malformed-udp');
  const gateway = buf.subarray(4, 12).toString('hex');
  if (id === PULL_DATA) return { type: 'PULL_DATA', token, gateway };
  const body = buf.subarray(12);
  let json: Record<string, unknown> = {};
  if (body.length > 0) {
    try {
      json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new ProtocolError(`JSON body does not parse: ${(e as Error).message}`, 'malformed-json');
    }
    if (!json || typeof json !== 'object' || Array.isArray(json)) throw new ProtocolError('JSON body is not an object', 'malformed-json');
  }
  if (id === TX_ACK) {
    const ack = json.txpk_ack as { error?: string } | undefined;
    const err = (ack?.error ?? 'NONE') as TxAckError;
    return { type: 'TX_ACK', token, gateway, error: TX_ACK_ERRORS.includes(err) ? err : 'NONE' };
  }
  const rxpk = json.rxpk === undefined ? [] : json.rxpk;
  if (!Array.isArray(rxpk)) throw new ProtocolError('rxpk is not an array', 'malformed-json');
  for (const p of rxpk as Rxpk[]) {
    if (
      !p ||
      typeof p !== 'object' ||
      typeof p.data !== 'string' ||
      typeof p.tmst !== 'number' ||
      typeof p.freq !== 'number' ||
      typeof p.datr !== 'string' ||
      typeof p.rssi !== 'number'
    ) {
      throw new ProtocolError('an rxpk lacks data, tmst, freq, datr or rssi', 'malformed-json');
    }
  }
  return { type: 'PUSH_DATA', token, gateway, rxpk: rxpk as Rxpk[], stat: (json.stat as Record<string, unknown> | undefined) ?? null };
}

export function encodeAck(type: typeof PUSH_ACK | typeof PULL_ACK, token: number, gateway?: string): Buffer {
  const head = Buffer.from([PROTOCOL_VERSION, token >> 8, token & 0xff, type]);
  // PULL_ACK carries the gateway EUI in newer forwarders; PUSH_ACK does not.
  return type === PULL_ACK && gateway ? Buffer.concat([head, Buffer.from(gateway, 'hex')]) : head;
}

export function encodePullResp(token: number, txpk: Txpk): Buffer {
  return Buffer.concat([Buffer.from([PROTOCOL_VERSION, token >> 8, token & 0xff, PULL_RESP]), Buffer.from(JSON.stringify({ txpk }))]);
}

// The gateway side, for simulators and tests.
export function encodePushData(token: number, gateway: string, rxpk: Rxpk[], stat?: Record<string, unknown>): Buffer {
  return Buffer.concat([
    Buffer.from([PROTOCOL_VERSION, token >> 8, token & 0xff, PUSH_DATA]),
    Buffer.from(gateway, 'hex'),
    Buffer.from(JSON.stringify(stat ? { rxpk, stat } : { rxpk })),
  ]);
}
export function encodePullData(token: number, gateway: string): Buffer {
  return Buffer.concat([Buffer.from([PROTOCOL_VERSION, token >> 8, token & 0xff, PULL_DATA]), Buffer.from(gateway, 'hex')]);
}
export function encodeTxAck(token: number, gateway: string, error: TxAckError = 'NONE'): Buffer {
  const body = error === 'NONE' ? Buffer.alloc(0) : Buffer.from(JSON.stringify({ txpk_ack: { error } }));
  return Buffer.concat([Buffer.from([PROTOCOL_VERSION, token >> 8, token & 0xff, TX_ACK]), Buffer.from(gateway, 'hex'), body]);
}
export function parseDown(buf: Buffer): { type: 'PUSH_ACK' | 'PULL_ACK'; token: number } | { type: 'PULL_RESP'; token: number; txpk: Txpk } {
  if (buf.length < 4 || buf[0] !== PROTOCOL_VERSION) throw new ProtocolError('not a protocol 2 datagram', 'malformed-udp');
  const token = buf.readUInt16BE(1);
  if (buf[3] === PUSH_ACK) return { type: 'PUSH_ACK', token };
  if (buf[3] === PULL_ACK) return { type: 'PULL_ACK', token };
  if (buf[3] === PULL_RESP) return { type: 'PULL_RESP', token, txpk: (JSON.parse(buf.subarray(4).toString('utf8')) as { txpk: Txpk }).txpk };
  throw new ProtocolError(`identifier 0x${buf[3]!.toString(16)} is not a down-stream message`, 'malformed-udp');
}
