import type { SerialLine } from '@hyphae/drivers/modbus';
import type { DeviceRegistry, LorawanDevice, QueuedDownlink } from '@hyphae/drivers/lorawan';
import type { Clock } from '../clock.js';
import { found, HubError } from '../errors.js';
import type { Store } from '../store/store.js';
import { DownlinkQueue } from './downlink-queue.js';
import type { DeviceClass, DeviceKind } from './contract.js';

/**
 * The hub's device registry: LoRaWAN devices with their keys and counters,
 * and Modbus devices with their template and address, each mapped to the
 * household or place it measures. Health (last seen, signal, battery,
 * errors) is kept beside them.
 */
export interface SensorDevice {
  id: string;
  kind: DeviceKind;
  name: string;
  /** The household or place the device measures; the ecology engine groups by it. */
  place: string | null;
  /** LoRaWAN: the codec id; Modbus: the template id. */
  profile: string | null;
  variables: Record<string, unknown>;
  lorawan: LorawanDevice | null;
  /** TCP (host, port) or RTU on a serial line (serial); unit is the device's address either way. */
  modbus: { host: string; port: number; unit: number; pollSeconds: number; timeoutMs: number; retries: number; serial?: SerialLine | null } | null;
  createdAt: number;
}

export interface DeviceHealthRecord {
  id: string;
  lastSeen: number | null;
  rssi: number | null;
  snr: number | null;
  battery: number | null;
  gateways: number;
  uplinks: number;
  errors: Record<string, number>;
}

const hex = (n: number) => new RegExp(`^[0-9a-f]{${n}}$`);

export class Devices implements DeviceRegistry {
  private readonly devices;
  private readonly byAddr;
  private readonly nonces;
  private readonly health = new Map<string, DeviceHealthRecord>();
  /** Frame counters accepted and not yet committed, by DevEUI (advanceFCntUp). */
  private readonly fCntUpAhead = new Map<string, number>();
  /**
   * Device records as last read or written here, for the uplink path: an
   * uplink read its device's record three times (the DevAddr lookup, then
   * the counter check before and inside its write), and decoding it was a
   * tenth of everything a burst allocated. Every put here writes through;
   * any rolled-back write drops it all. get() and list() read the store, so
   * nothing handed out of this class is shared.
   */
  private readonly records = new Map<string, SensorDevice>();
  /** The DevEUIs at a DevAddr, for addresses that have any (an unknown one is not kept: random addresses cannot grow it). */
  private readonly atAddr = new Map<string, string[]>();
  /** Application downlinks waiting for their devices. */
  readonly downlinks: DownlinkQueue;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {
    this.devices = store.collection<SensorDevice, string>('devices', 'device');
    this.byAddr = store.db<string, [string, string]>('lorawan-devaddr');
    this.nonces = store.db<true, [string, number]>('lorawan-devnonces');
    this.downlinks = new DownlinkQueue(store, clock);
    store.onRollback(() => {
      this.records.clear();
      this.atAddr.clear();
    });
  }

  private record(id: string): SensorDevice | undefined {
    let d = this.records.get(id);
    if (d === undefined) {
      d = this.devices.get(id);
      if (d) this.records.set(id, d);
    }
    return d;
  }

  /** Inside a write: the record, and the cache, which a rollback of this write clears. */
  private putRecord(d: SensorDevice): void {
    this.devices.put(d.id, d);
    this.records.set(d.id, d);
  }

  async register(input: {
    kind: DeviceKind;
    id?: string;
    name: string;
    place?: string | null;
    profile?: string | null;
    variables?: Record<string, unknown>;
    otaa?: { devEui: string; joinEui?: string | null; appKey: string };
    abp?: { devEui: string; devAddr: string; nwkSKey: string; appSKey: string; counterReset?: boolean };
    /** LoRaWAN device class: 'C' devices get downlinks at once (default 'A'). */
    deviceClass?: DeviceClass;
    modbus?: SensorDevice['modbus'];
  }): Promise<SensorDevice> {
    let lorawan: LorawanDevice | null = null;
    let id = input.id;
    if (input.kind === 'lorawan') {
      const o = input.otaa;
      const a = input.abp;
      const given = o?.devEui ?? a?.devEui;
      if (given === undefined)
        throw HubError.badRequest('a LoRaWAN device needs OTAA keys (devEui, appKey) or an ABP session (devEui, devAddr, nwkSKey, appSKey)');
      const devEui = given.toLowerCase();
      if (!hex(16).test(devEui)) throw HubError.badRequest('devEui must be 16 hex digits');
      if (o && (!hex(32).test(o.appKey.toLowerCase()) || (o.joinEui && !hex(16).test(o.joinEui.toLowerCase()))))
        throw HubError.badRequest('appKey must be 32 hex digits and joinEui 16');
      if (a && (!hex(8).test(a.devAddr.toLowerCase()) || !hex(32).test(a.nwkSKey.toLowerCase()) || !hex(32).test(a.appSKey.toLowerCase())))
        throw HubError.badRequest('devAddr must be 8 hex digits and session keys 32');
      id = devEui;
      lorawan = {
        devEui,
        joinEui: o?.joinEui?.toLowerCase() ?? null,
        appKey: o?.appKey.toLowerCase() ?? null,
        mode: o ? 'otaa' : 'abp',
        devAddr: a?.devAddr.toLowerCase() ?? null,
        nwkSKey: a?.nwkSKey.toLowerCase() ?? null,
        appSKey: a?.appSKey.toLowerCase() ?? null,
        fCntUp: -1,
        fCntDown: 0,
        abpCounterReset: a?.counterReset ?? false,
        deviceClass: input.deviceClass ?? 'A',
      };
    }
    if (input.kind === 'modbus' && (!input.modbus || (!input.modbus.host && !input.modbus.serial)))
      throw HubError.badRequest('a Modbus device needs host and port (TCP) or a serial line (RTU), and its unit');
    if (!id) id = input.name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    const dev: SensorDevice = {
      id,
      kind: input.kind,
      name: input.name,
      place: input.place ?? null,
      profile: input.profile ?? null,
      variables: input.variables ?? {},
      lorawan,
      modbus: input.modbus ?? null,
      createdAt: this.clock.now(),
    };
    await this.store.write(() => {
      if (this.devices.get(dev.id)) throw HubError.conflict(`a device with id ${dev.id} is already registered`);
      this.putRecord(dev);
      if (lorawan?.devAddr) {
        this.byAddr.put([lorawan.devAddr, dev.id], dev.id);
        this.atAddr.delete(lorawan.devAddr);
      }
    });
    return dev;
  }

  has(id: string): boolean {
    return this.devices.get(id.toLowerCase()) !== undefined || this.devices.get(id) !== undefined;
  }

  get(id: string): SensorDevice {
    return found(this.devices.get(id.toLowerCase()) ?? this.devices.get(id), `device ${id}`);
  }

  list(kind?: SensorDevice['kind']): SensorDevice[] {
    return this.devices.where((d) => !kind || d.kind === kind);
  }

  /** A device's record without its secrets, for the API. */
  static public(d: SensorDevice) {
    const { lorawan, ...rest } = d;
    return {
      ...rest,
      lorawan: lorawan
        ? {
            devEui: lorawan.devEui,
            joinEui: lorawan.joinEui,
            mode: lorawan.mode,
            devAddr: lorawan.devAddr,
            fCntUp: lorawan.fCntUp,
            joined: lorawan.nwkSKey !== null,
            deviceClass: lorawan.deviceClass ?? 'A',
          }
        : null,
    };
  }

  // ── DeviceRegistry for the network server ───────────────────────────────

  byDevEui(devEui: string): LorawanDevice | undefined {
    const l = this.record(devEui)?.lorawan;
    return l ? this.ahead(l) : undefined;
  }

  /** A device's session with the counter of a frame accepted and not yet committed, if there is one. */
  private ahead(l: LorawanDevice): LorawanDevice {
    const fCntUp = this.fCntUpAhead.get(l.devEui);
    return fCntUp === undefined ? l : { ...l, fCntUp };
  }

  byDevAddr(devAddr: string): LorawanDevice[] {
    let euis = this.atAddr.get(devAddr);
    if (!euis) {
      euis = Array.from(this.byAddr.getKeys({ start: [devAddr, ''], end: [devAddr, '\uffff'] }), (key) => key[1]);
      if (euis.length > 0) this.atAddr.set(devAddr, euis);
    }
    const out: LorawanDevice[] = [];
    for (const devEui of euis) {
      const l = this.record(devEui)?.lorawan;
      if (l && l.devAddr === devAddr) out.push(this.ahead(l));
    }
    return out;
  }

  async acceptJoin(devEui: string, devNonce: number, session: { devAddr: string; nwkSKey: string; appSKey: string }): Promise<boolean> {
    return this.store.write(() => {
      if (this.nonces.get([devEui, devNonce])) return false;
      const d = this.record(devEui);
      if (!d?.lorawan) return false;
      this.nonces.put([devEui, devNonce], true);
      this.fCntUpAhead.delete(devEui);
      if (d.lorawan.devAddr) {
        this.byAddr.remove([d.lorawan.devAddr, devEui]);
        this.atAddr.delete(d.lorawan.devAddr);
      }
      this.putRecord({ ...d, lorawan: { ...d.lorawan, ...session, fCntUp: -1, fCntDown: 0 } });
      this.byAddr.put([session.devAddr, devEui], devEui);
      this.atAddr.delete(session.devAddr);
      return true;
    });
  }

  /**
   * Accepts a frame counter: decided here at once, before any await, and
   * written in the store's next group commit. The next frame of the same
   * device is checked against this one without waiting for the commit (see
   * fCntUpAhead), so a device's frames need not queue behind each other's
   * disk writes. The caller hands a frame on only once this resolves true:
   * an acknowledged frame's counter is on disk and survives kill -9.
   */
  async advanceFCntUp(devEui: string, fcnt: number, reset: boolean): Promise<boolean> {
    const d = this.record(devEui);
    if (!d?.lorawan) return false;
    const current = this.fCntUpAhead.get(devEui) ?? d.lorawan.fCntUp;
    if (!reset && fcnt <= current) return false;
    this.fCntUpAhead.set(devEui, fcnt);
    const session = d.lorawan.devAddr;
    try {
      return await this.store.write(() => {
        const cur = this.record(devEui);
        // A join in between started a new session: this frame's counter belongs to the old one.
        if (!cur?.lorawan || cur.lorawan.devAddr !== session) return false;
        this.putRecord({ ...cur, lorawan: { ...cur.lorawan, fCntUp: fcnt } });
        return true;
      });
    } finally {
      // Committed (the store now says as much) or failed (the store still says what it did): read the store again.
      if (this.fCntUpAhead.get(devEui) === fcnt) this.fCntUpAhead.delete(devEui);
    }
  }

  async takeFCntDown(devEui: string, downlinkId?: string): Promise<number> {
    return this.store.write(() => {
      const d = this.record(devEui);
      if (!d?.lorawan) throw HubError.notFound(`LoRaWAN device ${devEui}`);
      const n = d.lorawan.fCntDown;
      this.putRecord({ ...d, lorawan: { ...d.lorawan, fCntDown: n + 1 } });
      // The counter and the downlink it goes with are written together: a restart can neither resend it with a used counter nor lose that it went.
      if (downlinkId) this.downlinks.markSentInTxn(devEui, downlinkId, n);
      return n;
    });
  }

  nextDownlink(devEui: string): QueuedDownlink | undefined {
    return this.downlinks.next(devEui);
  }

  settleDownlink(devEui: string, acked: boolean): Promise<void> | undefined {
    return this.downlinks.settle(devEui, acked);
  }

  // ── health (in memory: it changes with every uplink and needs no SD writes) ──

  healthOf(id: string): DeviceHealthRecord {
    let h = this.health.get(id);
    if (!h) {
      h = { id, lastSeen: null, rssi: null, snr: null, battery: null, gateways: 0, uplinks: 0, errors: {} };
      this.health.set(id, h);
    }
    return h;
  }

  seen(id: string, patch: Partial<Omit<DeviceHealthRecord, 'id' | 'errors'>>): void {
    const h = this.healthOf(id);
    Object.assign(h, Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)));
    h.lastSeen = this.clock.now();
  }

  error(id: string, kind: string): void {
    const h = this.healthOf(id);
    h.errors[kind] = (h.errors[kind] ?? 0) + 1;
  }
}
