import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedStation } from './basics-station.js';
import { EndDevice } from './end-device.js';
import { PacketForwarder, type RadioGateway } from './packet-forwarder.js';
import { startInProcessHub } from '../in-process-hub.js';
import { apiAs, until as waitUntil } from '../wait.js';

const until = (cond: () => boolean, what: string | (() => string), timeoutMs = 10_000) => waitUntil(cond, what, { timeoutMs, everyMs: 10 });
const lse01 = [12, 228, 0, 225, 12, 53, 7, 48, 2, 0, 0];

let cleanup: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

const PROTOCOLS = ['semtech-udp', 'basics-station'] as const;

/**
 * A sensor's life on the hub, the same over both gateway protocols: an OTAA
 * device behind a simulated gateway (Semtech UDP's packet forwarder, or a
 * LoRa Basics Station speaking the LNS protocol over WebSocket) joins,
 * reports, gets a confirmed downlink a steward queued over the HTTP API, and
 * is moved to a faster data rate by ADR.
 */
describe.each(PROTOCOLS)('a LoRaWAN sensor behind a %s gateway', (protocol) => {
  it('joins by OTAA, reports, receives a confirmed downlink queued over the API, and ADR moves it to a faster data rate', async () => {
    const { hub, stop } = await startInProcessHub(
      { lorawan: { port: 0, host: '127.0.0.1', basicsStation: { port: 0, host: '127.0.0.1' } }, telemetry: { flushIntervalMs: 100 } },
      `hyphae-journey-${protocol}-`,
    );
    cleanup.push(stop);
    const m = hub.modules;
    const eui = 'aa555a0000000007';
    const gw: RadioGateway =
      protocol === 'semtech-udp'
        ? new PacketForwarder(eui, { host: '127.0.0.1', port: m.sensing.port })
        : new SimulatedStation(eui, { url: `ws://127.0.0.1:${m.sensing.station!.port}` });
    await gw.start();
    cleanup.push(() => gw.stop());
    const steward = await m.members.create({ name: 'Stew', email: 'stew@example.org', role: 'steward' }, null);
    const token = (await m.members.createToken(steward.id, 'test')).token;
    const api = apiAs(`http://127.0.0.1:${hub.port}`, token);

    // Joins: the hub answers in RX1 with the region's CFList.
    const dev = EndDevice.random();
    const devEui = dev.devEui.toString('hex');
    expect(
      (
        await api('POST', '/api/v1/devices', {
          kind: 'lorawan',
          name: 'Allotment soil',
          place: 'allotments',
          profile: 'dragino-lse01',
          otaa: { devEui, joinEui: dev.joinEui.toString('hex'), appKey: dev.appKey.toString('hex') },
        })
      ).status,
    ).toBe(201);
    await dev.join(gw);
    expect(dev.channels).toHaveLength(8);
    dev.listen(gw);
    const net = m.sensing.network!;
    const send = async (n: number, lsnr: number, opts: { ack?: boolean } = {}) => {
      const before = net.stats.uplinks;
      for (let i = 0; i < n; i++) gw.push(dev.uplink(2, lse01, opts), { datr: dev.datr, lsnr });
      await until(() => net.stats.uplinks === before + n, `${n} uplinks`);
    };

    // Reports: the codec's readings are stored under the device.
    await send(1, 5);
    await m.telemetry.flush();
    expect(m.telemetry.listSeries(devEui).find((s) => s.metric === 'soilTemperature')?.lastValue).toBe(18.4);

    // A confirmed downlink from the API goes in the window after the next uplink; the device's ACK settles it.
    const queued = await api('POST', `/api/v1/lorawan/devices/${devEui}/queue`, { fPort: 10, hex: 'a1b2', confirmed: true });
    expect(queued.status).toBe(201);
    const appDownlinks = () => dev.received.filter((p) => p.getFPort() === 10);
    await send(1, 5);
    await until(() => appDownlinks().length === 1, 'the queued downlink');
    expect(appDownlinks()[0]!.getMType()).toBe('Confirmed Data Down');
    expect(dev.payloadOf(appDownlinks()[0]!).toString('hex')).toBe('a1b2');
    await send(1, 5, { ack: true });
    const stateOf = async () => (await api('GET', `/api/v1/lorawan/devices/${devEui}/queue`)).json.find((d: { id: string }) => d.id === queued.json.id).state;
    await waitUntil(async () => (await stateOf()) === 'acknowledged', 'acknowledged');

    // ADR: heard well at SF12, the device is asked to go to SF7, takes it, and says so in its next uplink.
    dev.adr = true;
    await send(20, 5);
    await until(() => dev.dr === 5, 'a LinkADRReq taken');
    expect(dev.datr).toBe('SF7BW125');
    await send(1, 5);
    expect(net.stats.adrAccepted).toBe(1);

    // The gateway is listed with the protocol it speaks.
    const gws = await api('GET', '/api/v1/gateways');
    expect(gws.json.gateways).toEqual([expect.objectContaining({ eui, protocol, rxPackets: 25 })]);
    expect(net.stats.downlinkErrors).toBe(0);
  });
});
