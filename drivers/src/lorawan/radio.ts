import type { Rxpk, TxAckError } from './semtech.js';

/**
 * What the network server and the gateways' protocols (Semtech UDP, LoRa
 * Basics Station) say to each other, in neither protocol's words: a radio
 * packet heard, and a downlink with the receive windows it may go in. Each
 * protocol's server translates these to its own messages, so the network
 * server never knows which one a gateway speaks.
 */

export const GATEWAY_PROTOCOLS = ['semtech-udp', 'basics-station'] as const;
export type GatewayProtocol = (typeof GATEWAY_PROTOCOLS)[number];

/** What a Basics Station needs back to answer in an uplink's windows: its concentrator time and antenna. */
export interface StationContext {
  xtime: number;
  rctx: number;
}

export interface Uplink {
  gateway: string;
  /** The radio metadata in packet-forwarder terms (frequency in MHz, `SFxBWy`, RSSI, SNR, concentrator µs). */
  rxpk: Rxpk;
  phy: Buffer;
  receivedAt: number;
  /** Set by the Basics Station server; absent for Semtech UDP, whose `tmst` is enough. */
  station?: StationContext;
}

/** One receive window: seconds after the uplink (class A), frequency in MHz, data rate as number and as `SFxBWy`. */
export interface Window {
  delayS: number;
  freq: number;
  dr: number;
  datr: string;
}

export type Downlink =
  | {
      kind: 'class-a';
      devEui: string;
      phy: Buffer;
      power: number;
      /** The uplink being answered, as its gateway heard it. */
      uplink: Pick<Uplink, 'rxpk' | 'station'>;
      rx1: Window;
      rx2: Window;
    }
  | {
      /** A class-C device listens on RX2 whenever it is not sending: now, on RX2's channel. */
      kind: 'class-c';
      devEui: string;
      phy: Buffer;
      power: number;
      rx2: Omit<Window, 'delayS'>;
      /** The antenna of the device's last uplink through this gateway, when known. */
      station?: StationContext;
    };

/** NONE when the gateway sent it; otherwise why not (a TX_ACK error, no answer, or no way to the gateway). */
export type DownlinkResult = TxAckError | 'TIMEOUT' | 'NO_ROUTE';

/** A gateway protocol's server, as the network server sees it. */
export interface GatewayTransport {
  readonly protocol: GatewayProtocol;
  /** Whether a downlink to this gateway can go out through this server now. */
  reaches(gateway: string): boolean;
  transmit(gateway: string, d: Downlink): Promise<DownlinkResult>;
}

/** The gateways of every protocol the hub speaks: a downlink goes through whichever server reaches its gateway. */
export class Gateways {
  constructor(private readonly transports: GatewayTransport[]) {}

  transmit(gateway: string, d: Downlink): Promise<DownlinkResult> {
    const t = this.transports.find((x) => x.reaches(gateway));
    return t ? t.transmit(gateway, d) : Promise.resolve('NO_ROUTE');
  }
}
