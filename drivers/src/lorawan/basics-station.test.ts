import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { euiHex, id6, StationServer, type StationServerOptions } from './basics-station.js';
import { lora, msb } from './frames.js';
import type { Downlink, Uplink } from './radio.js';
import { loadRegions } from './regions.js';

/**
 * The LNS side of LoRa Basics Station against a client that speaks the
 * protocol as Station does (fields laid out as its lora.c writes them), on
 * loopback, over ws and wss.
 */
const eu = loadRegions().get('EU868')!;
const us = loadRegions().get('US915')!;
const GW = 'b827ebfffe6151b7';

let servers: StationServer[] = [];
let sockets: WebSocket[] = [];
afterEach(async () => {
  for (const s of sockets) s.terminate();
  sockets = [];
  for (const s of servers) await s.stop();
  servers = [];
});

let certDir = '';
beforeAll(() => {
  certDir = mkdtempSync(join(tmpdir(), 'hyphae-station-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      join(certDir, 'key.pem'),
      '-out',
      join(certDir, 'cert.pem'),
      '-days',
      '2',
      '-subj',
      '/CN=hub.test',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
});
afterAll(() => rmSync(certDir, { recursive: true, force: true }));

async function serve(opts: Partial<StationServerOptions> = {}) {
  const uplinks: Uplink[] = [];
  const s = new StationServer({ port: 0, host: '127.0.0.1', region: eu, onUplink: (u) => uplinks.push(u), ...opts });
  await s.start();
  servers.push(s);
  return { s, uplinks, url: `${s.scheme}://127.0.0.1:${s.port}` };
}

type Msg = Record<string, any>;
/** A WebSocket with a queue of what the server sent. */
async function connect(url: string, opts: WebSocket.ClientOptions = {}) {
  const ws = new WebSocket(url, opts);
  sockets.push(ws);
  const got: Msg[] = [];
  ws.on('message', (d) => got.push(JSON.parse(d.toString()) as Msg));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
  const next = async (type?: string) => {
    const t0 = Date.now();
    for (;;) {
      const i = got.findIndex((m) => !type || m.msgtype === type);
      if (i >= 0) return got.splice(i, 1)[0]!;
      if (Date.now() - t0 > 3000) throw new Error(`no ${type ?? 'message'}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  return { ws, next, send: (m: unknown) => ws.send(typeof m === 'string' ? m : JSON.stringify(m)) };
}

/** Station's fields for a PHYPayload (src/lora.c: s2e_parse_lora_frame). */
function stationFields(phy: Buffer, radio = { DR: 5, Freq: 868_100_000, xtime: 2 ** 48 + 1_000, rssi: -70, snr: 8.25 }): Msg {
  const up = {
    DR: radio.DR,
    Freq: radio.Freq,
    upinfo: { rctx: 1, xtime: radio.xtime, gpstime: 0, fts: -1, rssi: radio.rssi, snr: radio.snr, rxtime: 0 },
    RefTime: 0,
  };
  if (phy[0]! >> 5 === 0) {
    const eui = (b: Buffer) => Buffer.from(b).reverse().toString('hex').match(/../g)!.join('-');
    return {
      msgtype: 'jreq',
      MHdr: phy[0],
      JoinEui: eui(phy.subarray(1, 9)),
      DevEui: eui(phy.subarray(9, 17)),
      DevNonce: phy.readUInt16LE(17),
      MIC: phy.readInt32LE(19),
      ...up,
    };
  }
  const portAt = 8 + (phy[5]! & 0x0f);
  const hasPort = portAt < phy.length - 4;
  return {
    msgtype: 'updf',
    MHdr: phy[0],
    DevAddr: phy.readInt32LE(1),
    FCtrl: phy[5],
    FCnt: phy.readUInt16LE(6),
    FOpts: phy.subarray(8, portAt).toString('hex'),
    FPort: hasPort ? phy[portAt] : -1,
    FRMPayload: hasPort ? phy.subarray(portAt + 1, phy.length - 4).toString('hex') : '',
    MIC: phy.readInt32LE(phy.length - 4),
    ...up,
  };
}

async function connected(url: string, opts: WebSocket.ClientOptions = {}) {
  const c = await connect(`${url}/traffic/${GW}`, opts);
  c.send({ msgtype: 'version', station: '2.0.6(rpi/std)', firmware: null, package: null, model: 'rpi', protocol: 2, features: 'rmtsh' });
  return { ...c, config: await c.next('router_config') };
}

describe('LoRa Basics Station (LNS protocol)', () => {
  it('reads router ids in every spelling Station uses', () => {
    expect(euiHex('b827:ebff:fe61:51b7')).toBe(GW);
    expect(euiHex('B8-27-EB-FF-FE-61-51-B7')).toBe(GW);
    expect(euiHex('::1')).toBe('0000000000000001');
    expect(euiHex('1::')).toBe('0001000000000000');
    expect(euiHex('not an eui')).toBeNull();
    expect(id6(GW)).toBe('b827:ebff:fe61:51b7');
    expect(id6('0000000000000001')).toBe('::1');
    expect(id6('0001000000000000')).toBe('1::');
    expect(id6('00010000000000ff')).toBe('1::ff');
  });

  it('answers router-info with the data connection, and refuses a gateway it does not serve', async () => {
    const { url } = await serve({ knownGateways: [GW] });
    const info = await connect(`${url}/router-info`);
    info.send({ router: 'b827:ebff:fe61:51b7' });
    expect(await info.next()).toEqual({ router: 'b827:ebff:fe61:51b7', muxs: 'hyphae', uri: `${url}/traffic/${GW}` });
    info.send({ router: 1 }); // a number, as some Stations send it
    expect((await info.next()).error).toMatch(/::1 is not served by this hub/);
    info.send({ router: 'zz' });
    expect((await info.next()).error).toMatch(/EUI-64/);
    await expect(connect(`${url}/traffic/0000000000000001`)).rejects.toThrow(/HTTP 403/);
    await expect(connect(`${url}/elsewhere`)).rejects.toThrow(/HTTP 404/);
  });

  it("sends the region's router_config after version: data rates, uplink channels and band", async () => {
    const { url } = await serve();
    const { config } = await connected(url);
    expect(config).toMatchObject({ msgtype: 'router_config', region: 'EU868', hwspec: 'sx1301/1', freq_range: [863_000_000, 870_000_000], max_eirp: 16 });
    expect(config.DRs.slice(0, 8)).toEqual([
      [12, 125, 0],
      [11, 125, 0],
      [10, 125, 0],
      [9, 125, 0],
      [8, 125, 0],
      [7, 125, 0],
      [7, 250, 0],
      [0, 0, 0],
    ]);
    expect(config.DRs).toHaveLength(16);
    expect(config.upchannels).toEqual([868.1, 868.3, 868.5, 867.1, 867.3, 867.5, 867.7, 867.9].map((f) => [Math.round(f * 1e6), 0, 5]));

    const usServer = await serve({ region: us });
    const usConfig = (await connected(usServer.url)).config;
    expect(usConfig.region).toBe('US915');
    expect(usConfig.DRs[4]).toEqual([8, 500, 0]);
    expect(usConfig.DRs[8]).toEqual([12, 500, 1]); // downlink only
    expect(usConfig.upchannels[0]).toEqual([903_900_000, 0, 3]);
    expect(usConfig.upchannels.at(-1)).toEqual([904_600_000, 4, 4]);
  });

  it('rebuilds each frame byte for byte from updf and jreq fields, with the radio metadata the network server needs', async () => {
    const { url, uplinks } = await serve();
    const c = await connected(url);
    const frames: Buffer[] = [];
    const appKey = randomBytes(16);
    frames.push(
      lora
        .fromFields({ MType: 'Join Request', AppEUI: randomBytes(8), DevEUI: randomBytes(8), DevNonce: randomBytes(2) }, undefined, undefined, appKey)
        .getPHYPayload()!,
    );
    for (let i = 0; i < 50; i++) {
      const fOpts = randomBytes(i % 16);
      const fcnt = i * 7919;
      frames.push(
        lora
          .fromFields(
            {
              MType: i % 2 ? 'Confirmed Data Up' : 'Unconfirmed Data Up',
              DevAddr: randomBytes(4),
              FCnt: fcnt & 0xffff,
              FPort: 1 + (i % 200),
              payload: randomBytes(i % 40),
              FOpts: fOpts,
              FCtrl: { ADR: i % 3 === 0, ACK: i % 5 === 0 },
            },
            randomBytes(16),
            randomBytes(16),
            undefined,
            msb(fcnt),
          )
          .getPHYPayload()!,
      );
    }
    for (const f of frames) c.send(stationFields(f));
    await new Promise<void>((r) => {
      const t = setInterval(() => uplinks.length === frames.length && (clearInterval(t), r()), 5);
    });
    expect(uplinks.map((u) => u.phy.toString('hex'))).toEqual(frames.map((f) => f.toString('hex')));
    expect(uplinks[1]).toMatchObject({
      gateway: GW,
      rxpk: { freq: 868.1, datr: 'SF7BW125', rssi: -70, lsnr: 8.25 },
      station: { xtime: 2 ** 48 + 1_000, rctx: 1 },
    });
  });

  it('offers both class-A windows in one dnmsg, and resolves when Station says dntxed (or times out when it never does)', async () => {
    const { s, url } = await serve({ dntxedGraceMs: 50 });
    const c = await connected(url);
    const phy = Buffer.from('60aabbccdd00010001020304', 'hex');
    const d: Downlink = {
      kind: 'class-a',
      devEui: '0011223344556677',
      phy,
      power: 14,
      uplink: { rxpk: { tmst: 0, freq: 868.3, modu: 'LORA', datr: 'SF9BW125', rssi: -90, size: 0, data: '' }, station: { xtime: 2 ** 48 + 5, rctx: 2 } },
      rx1: { delayS: 1, freq: 868.3, dr: 3, datr: 'SF9BW125' },
      rx2: { delayS: 2, freq: 869.525, dr: 0, datr: 'SF12BW125' },
    };
    const sent = s.transmit(GW, d);
    const dn = await c.next('dnmsg');
    expect(dn).toMatchObject({
      DevEui: '00-11-22-33-44-55-66-77',
      dC: 0,
      pdu: phy.toString('hex'),
      RxDelay: 1,
      RX1DR: 3,
      RX1Freq: 868_300_000,
      RX2DR: 0,
      RX2Freq: 869_525_000,
      xtime: 2 ** 48 + 5,
      rctx: 2,
      priority: 0,
    });
    c.send({
      msgtype: 'dntxed',
      seqno: dn.diid,
      diid: dn.diid,
      DR: 3,
      Freq: 868_300_000,
      DevEui: dn.DevEui,
      rctx: 2,
      xtime: dn.xtime + 1_000_000,
      txtime: 0,
      gpstime: 0,
    });
    expect(await sent).toBe('NONE');

    // Class C: RX2 only, at once; no dntxed within RX2's time and the grace: TIMEOUT, counted against the gateway.
    const classC = s.transmit(GW, { kind: 'class-c', devEui: '0011223344556677', phy, power: 14, rx2: { freq: 869.525, dr: 0, datr: 'SF12BW125' } });
    const dnC = await c.next('dnmsg');
    expect(dnC).toMatchObject({ dC: 2, RX2DR: 0, RX2Freq: 869_525_000 });
    expect(dnC.RX1DR).toBeUndefined();
    expect(await classC).toBe('TIMEOUT');
    expect(s.gateways.get(GW)!.txErrors).toEqual({ TIMEOUT: 1 });
    expect(await s.transmit('0000000000000009', { ...d })).toBe('NO_ROUTE');
  });

  it('counts what it cannot read and keeps the connection, and answers timesync only with a trusted clock', async () => {
    let trusted = false;
    const { s, url, uplinks } = await serve({ timeTrusted: () => trusted, now: () => 1_796_464_800_000 });
    const c = await connected(url);
    c.send('{not json');
    c.send({ msgtype: 'updf', MHdr: 64 }); // fields missing
    c.send({ msgtype: 'updf', ...stationFields(Buffer.from('40010203040000000102030405', 'hex')), DR: 14 }); // a data rate EU868 lacks
    c.send({ msgtype: 'getxtime' }); // not for the LNS: ignored, not counted
    c.send({ msgtype: 'timesync', txtime: 12345 });
    // Messages are handled in order: once router_config answers this version, the untrusted timesync has been seen, and not answered.
    c.send({ msgtype: 'version', station: '2.0.6' });
    await c.next('router_config');
    trusted = true;
    c.send({ msgtype: 'timesync', txtime: 67890 });
    const ts = await c.next('timesync');
    expect(ts.txtime).toBe(67890);
    // 2026-12-06 12:00 UTC in GPS microseconds: (unix − 315,964,800 + 18) s.
    expect(ts.gpstime).toBe((1_796_464_800 - 315_964_800 + 18) * 1e6);
    expect(s.gateways.get(GW)!.malformed).toBe(3);
    // Still connected and working.
    c.send(stationFields(Buffer.from('40010203040000000102030405', 'hex')));
    await new Promise<void>((r) => {
      const t = setInterval(() => uplinks.length === 1 && (clearInterval(t), r()), 5);
    });
  });

  it('with a token, refuses connections without it; with TLS, serves wss', async () => {
    const cert = readFileSync(join(certDir, 'cert.pem'), 'utf8');
    const { s, url } = await serve({ token: 'NNSXS.secret', tls: { cert, key: readFileSync(join(certDir, 'key.pem'), 'utf8') } });
    expect(url.startsWith('wss://')).toBe(true);
    await expect(connect(`${url}/router-info`, { ca: cert })).rejects.toThrow(/HTTP 401/);
    await expect(connect(`${url}/router-info`, { ca: cert, headers: { authorization: 'Bearer wrong' } })).rejects.toThrow(/HTTP 401/);
    const info = await connect(`${url}/router-info`, { ca: cert, headers: { authorization: 'Bearer NNSXS.secret' } });
    info.send({ router: id6(GW) });
    expect((await info.next()).uri).toBe(`${url}/traffic/${GW}`);
    const c = await connected(url, { ca: cert, headers: { authorization: 'NNSXS.secret' } });
    expect(c.config.region).toBe('EU868');
    expect(s.refused).toBe(2);
  });
});
