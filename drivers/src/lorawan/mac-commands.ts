/**
 * LoRaWAN 1.0.x MAC commands as data: each command's name and payload size
 * in each direction (LoRaWAN 1.0.3 §5, table 4), and what its payload says.
 * A command this table does not know has a size no one can know, so reading
 * stops there and the rest is returned as `unread`.
 */
export type Direction = 'up' | 'down';

interface Spec {
  name: string;
  size: number;
  fields?: (p: Buffer) => Record<string, number | boolean | string>;
}

const frequency = (p: Buffer, at: number) => (p[at]! | (p[at + 1]! << 8) | (p[at + 2]! << 16)) * 100;

const UP: Record<number, Spec> = {
  0x02: { name: 'LinkCheckReq', size: 0 },
  0x03: { name: 'LinkADRAns', size: 1, fields: (p) => ({ powerAck: !!(p[0]! & 4), dataRateAck: !!(p[0]! & 2), channelMaskAck: !!(p[0]! & 1) }) },
  0x04: { name: 'DutyCycleAns', size: 0 },
  0x05: { name: 'RXParamSetupAns', size: 1, fields: (p) => ({ rx1DrOffsetAck: !!(p[0]! & 4), rx2DataRateAck: !!(p[0]! & 2), channelAck: !!(p[0]! & 1) }) },
  0x06: {
    name: 'DevStatusAns',
    size: 2,
    // Battery 0: on external power; 255: could not measure. Margin: 6-bit signed SNR of the last DevStatusReq, dB.
    fields: (p) => ({ battery: p[0]!, margin: p[1]! & 0x20 ? (p[1]! & 0x3f) - 0x40 : p[1]! & 0x3f }),
  },
  0x07: { name: 'NewChannelAns', size: 1, fields: (p) => ({ dataRateRangeOk: !!(p[0]! & 2), channelFrequencyOk: !!(p[0]! & 1) }) },
  0x08: { name: 'RXTimingSetupAns', size: 0 },
  0x09: { name: 'TxParamSetupAns', size: 0 },
  0x0a: { name: 'DlChannelAns', size: 1, fields: (p) => ({ uplinkFrequencyExists: !!(p[0]! & 2), channelFrequencyOk: !!(p[0]! & 1) }) },
  0x0d: { name: 'DeviceTimeReq', size: 0 },
};

const DOWN: Record<number, Spec> = {
  0x02: { name: 'LinkCheckAns', size: 2, fields: (p) => ({ margin: p[0]!, gwCnt: p[1]! }) },
  0x03: {
    name: 'LinkADRReq',
    size: 4,
    fields: (p) => ({
      dataRate: p[0]! >> 4,
      txPower: p[0]! & 0x0f,
      chMask: (p[1]! | (p[2]! << 8)).toString(2).padStart(16, '0'),
      chMaskCntl: (p[3]! >> 4) & 0x07,
      nbTrans: p[3]! & 0x0f,
    }),
  },
  0x04: { name: 'DutyCycleReq', size: 1, fields: (p) => ({ maxDCycle: p[0]! & 0x0f }) },
  0x05: { name: 'RXParamSetupReq', size: 4, fields: (p) => ({ rx1DrOffset: (p[0]! >> 4) & 0x07, rx2DataRate: p[0]! & 0x0f, frequency: frequency(p, 1) }) },
  0x06: { name: 'DevStatusReq', size: 0 },
  0x07: { name: 'NewChannelReq', size: 5, fields: (p) => ({ chIndex: p[0]!, frequency: frequency(p, 1), minDr: p[4]! & 0x0f, maxDr: p[4]! >> 4 }) },
  0x08: { name: 'RXTimingSetupReq', size: 1, fields: (p) => ({ delay: Math.max(1, p[0]! & 0x0f) }) },
  0x09: {
    name: 'TxParamSetupReq',
    size: 1,
    fields: (p) => ({ downlinkDwellTime: !!(p[0]! & 0x20), uplinkDwellTime: !!(p[0]! & 0x10), maxEirp: p[0]! & 0x0f }),
  },
  0x0a: { name: 'DlChannelReq', size: 4, fields: (p) => ({ chIndex: p[0]!, frequency: frequency(p, 1) }) },
  0x0d: { name: 'DeviceTimeAns', size: 5, fields: (p) => ({ gpsSeconds: p.readUInt32LE(0), fraction: p[4]! / 256 }) },
};

export interface ReadMacCommand {
  cid: number;
  name: string;
  payload: string;
  fields: Record<string, number | boolean | string>;
}

/** Reads MAC commands (from FOpts, or a decrypted FPort 0 payload) sent in `dir`. */
export function readMacCommands(buf: Buffer, dir: Direction): { commands: ReadMacCommand[]; unread: string | null } {
  const table = dir === 'up' ? UP : DOWN;
  const commands: ReadMacCommand[] = [];
  let i = 0;
  while (i < buf.length) {
    const cid = buf[i]!;
    const spec = table[cid];
    if (!spec || i + 1 + spec.size > buf.length) break;
    const payload = buf.subarray(i + 1, i + 1 + spec.size);
    commands.push({ cid, name: spec.name, payload: payload.toString('hex'), fields: spec.fields?.(payload) ?? {} });
    i += 1 + spec.size;
  }
  return { commands, unread: i < buf.length ? buf.subarray(i).toString('hex') : null };
}
