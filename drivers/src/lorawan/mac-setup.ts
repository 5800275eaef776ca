import type { Region } from './regions.js';

/**
 * MAC commands the network server sends of its own accord, and the queue
 * they wait in until a downlink has room (FOpts holds 15 bytes) and until
 * the device answers.
 *
 * A device activated by personalisation (ABP) never sees a JoinAccept, so it
 * knows only its region's defaults: the hub gives it the rest of its
 * session's settings by MAC command on its first uplinks, as an OTAA device
 * gets them in the JoinAccept: the region's extra channels (NewChannelReq),
 * RX1's data-rate offset and RX2 (RXParamSetupReq), RX1's delay
 * (RXTimingSetupReq), and no aggregated duty-cycle limit beyond the
 * region's own (DutyCycleReq 0).
 */

export const MAC = { DutyCycle: 0x04, RXParamSetup: 0x05, NewChannel: 0x07, RXTimingSetup: 0x08 } as const;

/** Frequencies in MAC commands: 3 bytes little-endian, in units of 100 Hz. */
function freq(mhz: number): number[] {
  const v = Math.round(mhz * 10_000);
  return [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff];
}

export function newChannelReq(chIndex: number, mhz: number, minDr: number, maxDr: number): Buffer {
  return Buffer.from([MAC.NewChannel, chIndex, ...freq(mhz), ((maxDr & 0x0f) << 4) | (minDr & 0x0f)]);
}

export function rxParamSetupReq(rx1DrOffset: number, rx2Dr: number, rx2MHz: number): Buffer {
  return Buffer.from([MAC.RXParamSetup, ((rx1DrOffset & 0x07) << 4) | (rx2Dr & 0x0f), ...freq(rx2MHz)]);
}

export function rxTimingSetupReq(delayS: number): Buffer {
  return Buffer.from([MAC.RXTimingSetup, delayS & 0x0f]);
}

/** maxDCycle n limits the device to 1/2ⁿ of the time on air, on top of the region's rules; 0 adds no limit. */
export function dutyCycleReq(maxDCycle: number): Buffer {
  return Buffer.from([MAC.DutyCycle, maxDCycle & 0x0f]);
}

/** What an ABP device is told on its first uplinks: the settings an OTAA device reads in its JoinAccept. */
export function sessionSetup(region: Region): Buffer[] {
  const out: Buffer[] = [];
  const c = region.channels;
  // Fixed plans set channels by mask, which ADR's LinkADRReq carries; dynamic plans add channels after the defaults.
  if (c.plan === 'dynamic') c.extraChannels.forEach((mhz, i) => out.push(newChannelReq(c.defaultChannels.length + i, mhz, c.drRange[0], c.drRange[1])));
  out.push(rxParamSetupReq(0, region.rx2.dr, region.rx2.freq));
  out.push(rxTimingSetupReq(region.receiveDelay1));
  out.push(dutyCycleReq(0));
  return out;
}

/** Answers a device repeats in every uplink until it hears a downlink (LoRaWAN 1.0.3 §5.4, §5.7): the hub must answer them. */
export const STICKY_ANSWERS: ReadonlySet<number> = new Set([MAC.RXParamSetup, MAC.RXTimingSetup]);

/** Whether an answer's status byte accepts the request (answers without one accept by being sent). */
export function accepted(cid: number, status: number | undefined): boolean {
  if (cid === MAC.RXParamSetup) return status === 0x07;
  if (cid === MAC.NewChannel) return status === 0x03;
  return true;
}

/** After this many downlinks a request went out in without an answer, it is dropped (and said). */
export const MAX_MAC_TRIES = 3;

interface Pending {
  cmd: Buffer;
  tries: number;
}

/**
 * Requests waiting per device: taken whole into a downlink's FOpts while
 * they fit, kept until the device answers, sent again in the next downlink
 * when it does not (a lost downlink), and given up after MAX_MAC_TRIES.
 * Answers of one kind settle that kind's requests in the order they went.
 */
export class MacQueue {
  private readonly byDevice = new Map<string, Pending[]>();

  enqueue(devEui: string, cmds: Buffer[]): void {
    const q = this.byDevice.get(devEui) ?? [];
    q.push(...cmds.map((cmd) => ({ cmd, tries: 0 })));
    this.byDevice.set(devEui, q);
  }

  /** Requests that fit in `room` bytes, oldest first, each whole; counted as sent. */
  take(devEui: string, room: number): { cmds: Buffer[]; givenUp: Buffer[] } {
    const q = this.byDevice.get(devEui);
    if (!q) return { cmds: [], givenUp: [] };
    const givenUp = q.filter((p) => p.tries >= MAX_MAC_TRIES).map((p) => p.cmd);
    const live = q.filter((p) => p.tries < MAX_MAC_TRIES);
    const cmds: Buffer[] = [];
    for (const p of live) {
      if (p.cmd.length > room) break;
      cmds.push(p.cmd);
      room -= p.cmd.length;
      p.tries++;
    }
    if (live.length === 0) this.byDevice.delete(devEui);
    else this.byDevice.set(devEui, live);
    return { cmds, givenUp };
  }

  /** The device answered a request of this kind: the oldest one sent is settled. Returns it, if there was one. */
  answered(devEui: string, cid: number): Buffer | undefined {
    const q = this.byDevice.get(devEui);
    const i = q?.findIndex((p) => p.cmd[0] === cid && p.tries > 0) ?? -1;
    if (!q || i < 0) return undefined;
    const [p] = q.splice(i, 1);
    if (q.length === 0) this.byDevice.delete(devEui);
    return p!.cmd;
  }

  waiting(devEui: string): number {
    return this.byDevice.get(devEui)?.length ?? 0;
  }

  forget(devEui: string): void {
    this.byDevice.delete(devEui);
  }
}
