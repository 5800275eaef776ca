import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configSchema, openCore, silentLogger, type Core } from '@hyphae/device';
import { lora, readMacCommands } from '@hyphae/drivers/lorawan';
import { EndDevice } from './end-device.js';
import { PacketForwarder } from './packet-forwarder.js';
import { until as waitUntil } from '../wait.js';

const until = (cond: () => boolean, what: string | (() => string), timeoutMs = 10_000) => waitUntil(cond, what, { timeoutMs, everyMs: 10 });

/** The hub's LoRaWAN stack end to end over real UDP on loopback, with simulated gateways and devices. */
let dir: string;
let core: Core;
let gw: PacketForwarder;

const lse01 = [12, 228, 0, 225, 12, 53, 7, 48, 2, 0, 0];

async function register(dev: EndDevice, codec = 'dragino-lse01') {
  await core.devices.register({
    kind: 'lorawan',
    name: `soil ${dev.devEui.toString('hex')}`,
    place: 'allotments',
    profile: codec,
    otaa: { devEui: dev.devEui.toString('hex'), joinEui: dev.joinEui.toString('hex'), appKey: dev.appKey.toString('hex') },
  });
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hyphae-lorawan-'));
  core = openCore(dir, configSchema.parse({ lorawan: { port: 0, host: '127.0.0.1' }, telemetry: { flushIntervalMs: 100 } }), silentLogger);
  await core.sensing.start();
  gw = new PacketForwarder('aa555a0000000001', { host: '127.0.0.1', port: core.sensing.port });
  await gw.start();
});
afterEach(async () => {
  await gw.stop();
  await core.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('LoRaWAN network server', () => {
  it('answers an OTAA join in RX1 on the concentrator clock, then decodes encrypted uplinks into telemetry', async () => {
    const dev = EndDevice.random();
    await register(dev);
    let joinTx: { tmst?: number; freq: number } | undefined;
    const off = gw.onDownlink((_p, txpk) => (joinTx = txpk));
    const before = gw.tmst;
    await dev.join(gw);
    off();
    expect(dev.devAddr).not.toBeNull();
    // JOIN_ACCEPT_DELAY1 = 5 s after the JoinRequest's tmst, same channel (EU868).
    const reqTmst = gw.tmst;
    expect(reqTmst).toBeGreaterThan(before);
    expect(joinTx!.tmst).toBe((reqTmst + 5_000_000) >>> 0);
    expect(joinTx!.freq).toBe(868.1);
    // The JoinAccept's CFList gives the device EU868's five further channels.
    expect(dev.channels).toEqual([868.1, 868.3, 868.5, 867.1, 867.3, 867.5, 867.7, 867.9]);

    gw.push(dev.uplink(2, lse01));
    await until(() => core.sensing.network!.stats.uplinks === 1, 'uplink');
    await core.telemetry.flush();
    const id = dev.devEui.toString('hex');
    expect(
      core.telemetry
        .listSeries(id)
        .map((s) => [s.metric, s.lastValue])
        .sort(),
    ).toEqual([
      ['battery', 3.3],
      ['soilConductivity', 512],
      ['soilMoisture', 31.25],
      ['soilTemperature', 18.4],
      ['temperature', 22.5],
    ]);
    const h = core.devices.healthOf(id);
    expect(h).toMatchObject({ rssi: -80, snr: 7.5, uplinks: 1 });
    expect(gw.acks.push).toBeGreaterThan(0);
    expect(core.sensing.gateways!.gateways.get('aa555a0000000001')!.rxPackets).toBe(2);
  });

  it('never accepts a DevNonce twice', async () => {
    const dev = EndDevice.random();
    await register(dev);
    await dev.join(gw);
    gw.push(dev.joinRequest(dev.devNonce)); // the same JoinRequest again
    await until(() => (core.sensing.counters['devnonce-reused'] ?? 0) === 1, 'devnonce rejection');
    expect(core.sensing.network!.stats.joins).toBe(1);
  });

  it('recognises retransmissions and replays, and refuses bad MICs and unknown addresses', async () => {
    const dev = EndDevice.random();
    await register(dev);
    await dev.join(gw);
    const f0 = dev.uplink(2, lse01);
    const f1 = dev.uplink(2, lse01);
    gw.push(f0);
    await until(() => core.sensing.network!.stats.uplinks === 1, 'first uplink');
    gw.push(f1);
    await until(() => core.sensing.network!.stats.uplinks === 2, 'second uplink');
    gw.push(f1); // the device did not hear an ACK: a retransmission
    await until(() => core.sensing.network!.stats.retransmissions === 1, 'retransmission');
    gw.push(f0); // an old frame played back
    await until(() => (core.sensing.counters.replay ?? 0) === 1, 'replay');
    const bad = Buffer.from(dev.uplink(2, lse01));
    bad[bad.length - 2]! ^= 0x55;
    gw.push(bad);
    await until(() => (core.sensing.counters['mic-invalid'] ?? 0) === 1, 'bad MIC');
    const stranger = EndDevice.random();
    stranger.useAbp(randomBytes(4), randomBytes(16), randomBytes(16));
    gw.push(stranger.uplink(2, lse01));
    await until(() => (core.sensing.counters['unknown-devaddr'] ?? 0) === 1, 'unknown address');
    expect(core.sensing.network!.stats.uplinks).toBe(2);
    expect(core.devices.healthOf(dev.devEui.toString('hex')).errors).toMatchObject({ replay: 1 });
  });

  it('merges copies heard by several gateways, keeps the best signal, and ACKs a confirmed uplink through it', async () => {
    const gw2 = new PacketForwarder('aa555a0000000002', { host: '127.0.0.1', port: core.sensing.port });
    await gw2.start();
    try {
      const dev = EndDevice.random();
      await register(dev);
      await dev.join(gw);
      dev.listen(gw);
      dev.listen(gw2);
      const frame = dev.uplink(2, lse01, { confirmed: true });
      gw.push(frame, { rssi: -110, lsnr: -5 });
      gw2.push(frame, { rssi: -70, lsnr: 9 });
      await until(() => dev.received.length === 1, 'ACK');
      expect(core.sensing.network!.stats.uplinks).toBe(1);
      expect(gw2.downlinks).toHaveLength(1); // sent through the gateway that heard it best
      expect(dev.received[0]!.getFCtrlACK()).toBe(true);
      expect(core.devices.healthOf(dev.devEui.toString('hex'))).toMatchObject({ rssi: -70, gateways: 2 });
    } finally {
      await gw2.stop();
    }
  });

  it('answers LinkCheckReq and reads DevStatusAns', async () => {
    const dev = EndDevice.random();
    await register(dev);
    await dev.join(gw);
    dev.listen(gw);
    gw.push(dev.uplink(2, lse01, { fOpts: Buffer.from([0x02]) }));
    await until(() => dev.received.length === 1, 'LinkCheckAns');
    const fopts = dev.received[0]!.FOpts!;
    expect(fopts[0]).toBe(0x02); // LinkCheckAns, then (first visit) a DevStatusReq
    expect(fopts[2]).toBe(1); // heard by one gateway
    gw.push(dev.uplink(2, lse01, { fOpts: Buffer.from([0x06, 127, 10]) }));
    await until(() => core.devices.healthOf(dev.devEui.toString('hex')).battery === 50, 'battery from DevStatusAns');
    // DeviceTimeReq: the hub's (trusted) time in GPS seconds, for the device's clock.
    gw.push(dev.uplink(2, lse01, { fOpts: Buffer.from([0x0d]) }));
    await until(() => dev.received.some((p) => p.FOpts?.[0] === 0x0d), 'DeviceTimeAns');
    const ans = dev.received.find((p) => p.FOpts?.[0] === 0x0d)!.FOpts!;
    const unix = ans.readUInt32LE(1) + 315_964_800 - 18;
    expect(Math.abs(unix - Date.now() / 1000)).toBeLessThan(30);
  });

  it('ADR: a device heard well is moved to a faster data rate, told to slow down once it moves away, and a refusal is not repeated', async () => {
    const dev = EndDevice.random();
    await register(dev);
    await dev.join(gw);
    dev.listen(gw);
    dev.adr = true;
    const net = core.sensing.network!;
    const send = async (n: number, lsnr: number) => {
      const before = net.stats.uplinks;
      for (let i = 0; i < n; i++) gw.push(dev.uplink(2, lse01), { datr: dev.datr, lsnr });
      await until(() => net.stats.uplinks === before + n, `${n} uplinks`);
    };
    const adrReqs = () => dev.received.filter((p) => p.FOpts?.[0] === 0x03);
    // Near the gateway at SF12: 20 uplinks at +5 dB give 15 dB of margin, five steps of 3 dB.
    await send(20, 5);
    await until(() => adrReqs().length === 1, 'a LinkADRReq');
    expect(adrReqs()[0]!.getFCtrlADR()).toBe(true);
    expect(dev.dr).toBe(5);
    expect(dev.datr).toBe('SF7BW125');
    await send(1, 5); // carries the LinkADRAns
    expect(net.stats.adrAccepted).toBe(1);
    // Moved away: at SF7, −12 dB is 14.5 dB short; at full power already, it is told to slow down.
    await send(20, -12);
    await until(() => adrReqs().length === 2, 'a second LinkADRReq');
    expect(dev.dr).toBe(1);
    await send(1, -12);
    expect(net.stats.adrAccepted).toBe(2);

    // A device that cannot go above DR3 refuses DR5; the hub does not ask again for the next 20 uplinks.
    const slow = EndDevice.random();
    await register(slow);
    await slow.join(gw);
    slow.listen(gw);
    slow.adr = true;
    slow.maxDr = 3;
    const slowReqs = () => slow.received.filter((p) => p.FOpts?.[0] === 0x03);
    const sendSlow = async (n: number) => {
      const before = net.stats.uplinks;
      for (let i = 0; i < n; i++) gw.push(slow.uplink(2, lse01), { datr: slow.datr, lsnr: 5 });
      await until(() => net.stats.uplinks === before + n, `${n} uplinks`);
    };
    await sendSlow(20);
    await until(() => slowReqs().length === 1, 'a LinkADRReq');
    expect(slow.dr).toBe(0);
    await sendSlow(19);
    expect(net.stats.adrRefused).toBe(1);
    expect(slowReqs()).toHaveLength(1);
  });

  it("gives an ABP device the region's channels and RX settings by MAC command, whole commands in FOpts, until it has answered them all", async () => {
    const dev = EndDevice.random();
    const [addr, nwk, app] = [randomBytes(4), randomBytes(16), randomBytes(16)];
    dev.useAbp(addr, nwk, app);
    await core.devices.register({
      kind: 'lorawan',
      name: 'abp soil',
      profile: 'dragino-lse01',
      abp: { devEui: dev.devEui.toString('hex'), devAddr: addr.toString('hex'), nwkSKey: nwk.toString('hex'), appSKey: app.toString('hex') },
    });
    dev.listen(gw);
    const net = core.sensing.network!;
    const names = () => dev.received.flatMap((p) => readMacCommands(p.FOpts ?? Buffer.alloc(0), 'down').commands.map((c) => c.name));
    // Five NewChannelReq (6 bytes each), RXParamSetupReq (5), RXTimingSetupReq (2), DutyCycleReq (2) in 15-byte FOpts:
    // two channels, two more, the last with the rest; then one downlink so the device stops repeating its RX answers.
    for (let i = 0; i < 4; i++) {
      const heard = dev.received.length;
      gw.push(dev.uplink(2, lse01));
      await until(() => net.stats.uplinks === i + 1, 'uplink');
      await until(() => dev.received.length === heard + 1, `downlink ${i + 1}`);
    }
    expect(dev.received.map((p) => readMacCommands(p.FOpts ?? Buffer.alloc(0), 'down').commands.length)).toEqual([3, 2, 4, 0]); // the first also asks for the battery (DevStatusReq)
    expect(names().filter((n) => n === 'NewChannelReq')).toHaveLength(5);
    expect(names()).toEqual(expect.arrayContaining(['RXParamSetupReq', 'RXTimingSetupReq', 'DutyCycleReq']));
    for (const p of dev.received) expect((p.FOpts ?? Buffer.alloc(0)).length).toBeLessThanOrEqual(15);
    expect(dev.channels).toEqual([868.1, 868.3, 868.5, 867.1, 867.3, 867.5, 867.7, 867.9]);
    expect(dev.rx2).toEqual({ dr: 0, mhz: 869.525 });
    // Every request answered once, none refused or given up: nothing more is sent.
    expect(net.stats).toMatchObject({ macRequests: 8, macRefused: 0, macUnanswered: 0 });
    const before = dev.received.length;
    gw.push(dev.uplink(2, lse01));
    await until(() => net.stats.uplinks === 5, 'uplink');
    await new Promise((r) => setTimeout(r, 300));
    expect(dev.received.length).toBe(before);
  });

  it('sends queued downlinks in the next receive window, resends a confirmed one until acknowledged, and expires one never acknowledged', async () => {
    const dev = EndDevice.random();
    await register(dev);
    await dev.join(gw);
    dev.listen(gw);
    const id = dev.devEui.toString('hex');
    const q = core.devices.downlinks;
    const valve = await q.enqueue(id, { fPort: 10, payload: Buffer.from('0101', 'hex'), confirmed: true }, null);
    const appDownlinks = () => dev.received.filter((p) => p.getFPort() === 10);
    const stateOf = (dlId: string) => q.list(id).find((d) => d.id === dlId)!.state;
    const net = core.sensing.network!;
    const uplink = async (ack = false) => {
      const before = net.stats.uplinks;
      gw.push(dev.uplink(2, lse01, { ack }));
      // Handled to the end, its answer included. Counted is not enough: a downlink the test queues while
      // the hub is still answering this uplink may go in this uplink's window, and two would then be
      // heard in one wait below (a stressed run saw it: "attempt 1" never came as one).
      await until(() => net.stats.uplinks === before + 1 && net.busy === 0, 'uplink');
    };
    const states = () => `${JSON.stringify(q.list(id).map((d) => [d.payload, d.state, d.attempts]))}, ${appDownlinks().length} heard`;
    await uplink();
    await until(() => appDownlinks().length === 1, 'the queued downlink');
    const first = appDownlinks()[0]!;
    expect(first.getMType()).toBe('Confirmed Data Down');
    expect(dev.payloadOf(first).toString('hex')).toBe('0101');
    expect(stateOf(valve.id)).toBe('sent');
    // Not acknowledged: the device's next uplink has no ACK, so it goes again, with a new counter.
    await uplink();
    await until(() => appDownlinks().length === 2, 'the downlink again');
    expect(appDownlinks()[1]!.getFCnt()).toBeGreaterThan(first.getFCnt()!);
    await uplink(true);
    await until(() => stateOf(valve.id) === 'acknowledged', 'acknowledged');
    expect(q.list(id).find((d) => d.id === valve.id)).toMatchObject({ attempts: 2 });

    // One the device never acknowledges ends as expired after three attempts; the next queued then goes.
    const lost = await q.enqueue(id, { fPort: 10, payload: Buffer.from('02', 'hex'), confirmed: true }, null);
    const next = await q.enqueue(id, { fPort: 10, payload: Buffer.from('03', 'hex'), confirmed: false }, null);
    // Each attempt goes in the window of the uplink after the last was heard (a real device cannot send again sooner).
    for (let i = 0; i < 3; i++) {
      const heard = appDownlinks().length;
      await uplink();
      await until(
        () => appDownlinks().length === heard + 1,
        () => `attempt ${i + 1}: ${states()}`,
      );
    }
    expect(appDownlinks()).toHaveLength(5);
    await uplink();
    await until(() => stateOf(lost.id) === 'expired', 'expired');
    await until(() => stateOf(next.id) === 'sent' && appDownlinks().length === 6, 'the next one sent and heard');
    expect(dev.payloadOf(appDownlinks().at(-1)!).toString('hex')).toBe('03');
    expect(core.sensing.network!.stats.applicationDownlinks).toBe(6);
  });

  it('sends a class-C device its downlink at once on RX2, through the gateway that heard it last; a class-A one waits', async () => {
    const dev = EndDevice.random();
    const [addr, nwk, app] = [randomBytes(4), randomBytes(16), randomBytes(16)];
    dev.useAbp(addr, nwk, app);
    const id = dev.devEui.toString('hex');
    await core.devices.register({
      kind: 'lorawan',
      name: 'valve',
      profile: 'milesight-em300',
      deviceClass: 'C',
      abp: { devEui: id, devAddr: addr.toString('hex'), nwkSKey: nwk.toString('hex'), appSKey: app.toString('hex') },
    });
    dev.listen(gw);
    const net = core.sensing.network!;
    // Before any uplink the hub does not know which gateway reaches it: the downlink waits.
    await core.devices.downlinks.enqueue(id, { fPort: 20, payload: Buffer.from('01', 'hex'), confirmed: false }, null);
    expect(await net.pushDownlink(id)).toBe('waits');
    gw.push(dev.uplink(85, [1, 117, 90]));
    await until(() => net.stats.uplinks === 1, 'uplink');
    await until(() => dev.received.some((p) => p.getFPort() === 20), "the first downlink in the uplink's window");
    const txs: Array<{ imme?: boolean; freq: number; datr: string }> = [];
    const off = gw.onDownlink((_p, txpk) => txs.push(txpk as never));
    await core.devices.downlinks.enqueue(id, { fPort: 20, payload: Buffer.from('00', 'hex'), confirmed: false }, null);
    expect(await net.pushDownlink(id)).toBe('sent');
    await until(() => dev.received.filter((p) => p.getFPort() === 20).length === 2, 'the class-C downlink');
    off();
    expect(txs.at(-1)).toMatchObject({ imme: true, freq: 869.525, datr: 'SF12BW125' });
    expect(dev.payloadOf(dev.received.at(-1)!).toString('hex')).toBe('00');

    const a = EndDevice.random();
    await register(a);
    await a.join(gw);
    await core.devices.downlinks.enqueue(a.devEui.toString('hex'), { fPort: 20, payload: Buffer.from('01', 'hex'), confirmed: false }, null);
    expect(await net.pushDownlink(a.devEui.toString('hex'))).toBe('waits');
  });

  it('counts a codec failure and malformed datagrams without stopping', async () => {
    const dev = EndDevice.random();
    await register(dev);
    await dev.join(gw);
    gw.push(dev.uplink(2, [1, 2, 3])); // too short for the LSE01
    await until(() => (core.sensing.counters['codec-error'] ?? 0) === 1, 'codec error');
    gw.sendRaw(Buffer.from([2, 0, 1]));
    gw.sendRaw(Buffer.concat([Buffer.from([2, 0, 1, 0]), Buffer.from('aa555a0000000001', 'hex'), Buffer.from('{not json')]));
    await until(() => core.sensing.gateways!.gateways.get('aa555a0000000001')!.malformed === 1, 'malformed JSON counted');
    gw.push(dev.uplink(2, lse01));
    await until(() => core.sensing.network!.stats.uplinks === 2, 'still working');
  });

  it('keeps the readings a codec decoded beside a part it failed on, and counts the failure', async () => {
    await core.close();
    const codecDir = join(dir, 'our-codecs');
    mkdirSync(codecDir);
    writeFileSync(
      join(codecDir, 'ours.js'),
      'var codecs = { probe: { decodeUplink: function (i) { return { data: { battery: i.bytes[0], moisture: i.bytes[1] }, warnings: [], errors: ["channel 0x99 could not be read"] }; } } };',
    );
    writeFileSync(
      join(codecDir, 'ours.json'),
      JSON.stringify({
        vendor: 'Ours',
        script: 'ours.js',
        devices: [{ id: 'ours-probe', codec: 'probe', model: 'P', description: 'a home-made probe', units: { battery: '%', moisture: '%' }, examples: [] }],
      }),
    );
    core = openCore(
      dir,
      configSchema.parse({ lorawan: { port: 0, host: '127.0.0.1', codecDirs: [codecDir] }, telemetry: { flushIntervalMs: 100 } }),
      silentLogger,
    );
    await core.sensing.start();
    await gw.stop();
    gw = new PacketForwarder('aa555a0000000001', { host: '127.0.0.1', port: core.sensing.port });
    await gw.start();
    const dev = EndDevice.random();
    await register(dev, 'ours-probe');
    await dev.join(gw);
    gw.push(dev.uplink(2, [88, 31, 0x99]));
    await until(() => (core.sensing.counters['codec-error'] ?? 0) === 1, 'the codec error counted');
    await core.telemetry.flush();
    expect(
      core.telemetry
        .listSeries(dev.devEui.toString('hex'))
        .map((x) => [x.metric, x.lastValue])
        .sort(),
    ).toEqual([
      ['battery', 88],
      ['moisture', 31],
    ]);
  });

  it('refuses a flood past its in-flight bound, counting it, and keeps working once it has drained', async () => {
    // A hub that may hold only 5 uplinks at once; 40 distinct frames from 40 ABP devices arrive in one burst.
    await core.close();
    core = openCore(dir, configSchema.parse({ lorawan: { port: 0, host: '127.0.0.1', maxInFlight: 5 }, telemetry: { flushIntervalMs: 100 } }), silentLogger);
    await core.sensing.start();
    await gw.stop();
    gw = new PacketForwarder('aa555a0000000001', { host: '127.0.0.1', port: core.sensing.port });
    await gw.start();
    const devs: EndDevice[] = [];
    for (let i = 0; i < 40; i++) {
      const dev = EndDevice.random();
      const [addr, nwk, app] = [randomBytes(4), randomBytes(16), randomBytes(16)];
      dev.useAbp(addr, nwk, app);
      await core.devices.register({
        kind: 'lorawan',
        name: `level ${i}`,
        profile: 'dragino-ldds75',
        abp: { devEui: dev.devEui.toString('hex'), devAddr: addr.toString('hex'), nwkSKey: nwk.toString('hex'), appSKey: app.toString('hex') },
      });
      devs.push(dev);
    }
    for (const d of devs) gw.push(d.uplink(2, [13, 22, 4, 210, 0, 0, 123, 1]));
    const stats = core.sensing.network!.stats;
    await until(() => stats.uplinks + (stats.rejected.overloaded ?? 0) === 40, 'every frame handled or refused');
    expect(stats.uplinks).toBeGreaterThanOrEqual(5);
    expect(stats.rejected.overloaded).toBeGreaterThan(0);
    expect(core.sensing.counters.overloaded).toBe(stats.rejected.overloaded);
    // Drained (the frames let in may still be waiting on their downlinks' TX_ACKs): the next frame goes through.
    await until(() => core.sensing.network!.busy === 0, 'the network server to drain');
    const before = stats.uplinks;
    gw.push(devs[0]!.uplink(2, [13, 22, 4, 210, 0, 0, 123, 1]));
    await until(
      () => stats.uplinks === before + 1,
      () => `an uplink after the flood (${JSON.stringify(stats)})`,
    );
  });

  it("takes a burst of one device's frames in order, each stored once, and refuses one of them played again", async () => {
    const dev = EndDevice.random();
    const [addr, nwk, app] = [randomBytes(4), randomBytes(16), randomBytes(16)];
    dev.useAbp(addr, nwk, app);
    const devEui = dev.devEui.toString('hex');
    await core.devices.register({
      kind: 'lorawan',
      name: 'level',
      profile: 'dragino-ldds75',
      abp: { devEui, devAddr: addr.toString('hex'), nwkSKey: nwk.toString('hex'), appSKey: app.toString('hex') },
    });
    // Fifty frames in one burst: they are checked while the earlier ones' counters are still on the way to disk.
    const frames = Array.from({ length: 50 }, (_, i) => dev.uplink(2, [13, 22, 4, 210 + (i % 20), 0, 0, 123, 1]));
    for (const f of frames) gw.push(f);
    const stats = core.sensing.network!.stats;
    await until(
      () => stats.uplinks === 50,
      () => `50 uplinks (${JSON.stringify(stats)})`,
    );
    expect(stats.rejected).toEqual({});
    await until(() => core.sensing.network!.busy === 0, 'the network server to drain');
    expect(core.devices.get(devEui).lorawan!.fCntUp).toBe(49);
    gw.push(frames[10]!);
    await until(() => (stats.rejected.replay ?? 0) === 1, 'the replay refused');
    expect(stats.uplinks).toBe(50);
  });

  it('runs ABP devices', async () => {
    const dev = EndDevice.random();
    const [addr, nwk, app] = [randomBytes(4), randomBytes(16), randomBytes(16)];
    dev.useAbp(addr, nwk, app);
    await core.devices.register({
      kind: 'lorawan',
      name: 'level',
      profile: 'dragino-ldds75',
      abp: { devEui: dev.devEui.toString('hex'), devAddr: addr.toString('hex'), nwkSKey: nwk.toString('hex'), appSKey: app.toString('hex') },
    });
    gw.push(dev.uplink(2, [13, 22, 4, 210, 0, 0, 123, 1]));
    await until(() => core.sensing.network!.stats.uplinks === 1, 'ABP uplink');
    await core.telemetry.flush();
    expect(core.telemetry.listSeries(dev.devEui.toString('hex')).find((s) => s.metric === 'distance')!.lastValue).toBe(1234);
    void lora;
  });

  it("stores an EM300's history record at its own time beside its live reading, and keeps what came before a channel it cannot read", async () => {
    const dev = EndDevice.random();
    const [addr, nwk, app] = [randomBytes(4), randomBytes(16), randomBytes(16)];
    dev.useAbp(addr, nwk, app);
    const id = dev.devEui.toString('hex');
    await core.devices.register({
      kind: 'lorawan',
      name: 'shed',
      profile: 'milesight-em300',
      abp: { devEui: id, devAddr: addr.toString('hex'), nwkSKey: nwk.toString('hex'), appSKey: app.toString('hex') },
    });
    // An hour ago, while no gateway heard it, the sensor kept 19.9 °C and 45.5 % RH.
    const hourAgo = Math.floor(Date.now() / 1000) - 3600;
    const ts = [hourAgo & 0xff, (hourAgo >> 8) & 0xff, (hourAgo >> 16) & 0xff, (hourAgo >>> 24) & 0xff];
    gw.push(dev.uplink(85, [1, 117, 98, 3, 103, 215, 0, 4, 104, 80, 32, 206, ...ts, 199, 0, 91, 0]));
    await until(() => core.sensing.network!.stats.uplinks === 1, 'first uplink');
    await new Promise((r) => setTimeout(r, 5)); // a later millisecond: one reading per sensor and metric per instant
    // A newer firmware's channel the codec does not know, after the battery.
    gw.push(dev.uplink(85, [1, 117, 97, 0xff, 0x0b, 1, 2, 3]));
    await until(() => core.sensing.network!.stats.uplinks === 2, 'two uplinks');
    await core.telemetry.flush();
    const temps = core.telemetry.query(id, 'temperature', (hourAgo - 60) * 1000, Date.now() + 1000, 'raw').points;
    expect(temps.map((p) => p.mean)).toEqual([19.9, 21.5]);
    expect(temps[0]!.t).toBe(hourAgo * 1000);
    expect(core.telemetry.query(id, 'humidity', (hourAgo - 60) * 1000, Date.now() + 1000, 'raw').points.map((p) => p.mean)).toEqual([45.5, 40]);
    expect(core.telemetry.query(id, 'battery', (hourAgo - 60) * 1000, Date.now() + 1000, 'raw').points.map((p) => p.mean)).toEqual([98, 97]);
    expect(core.devices.healthOf(id).errors['codec-error']).toBeUndefined();
  });
});
