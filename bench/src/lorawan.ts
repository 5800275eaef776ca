import { readFileSync } from 'node:fs';
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { lora, msb, semtech } from '@hyphae/drivers/lorawan';
import { hyphae, startHubProcess } from '@hyphae/test-rig/hub-process';
import { fmt, tempDir } from './util.js';

/**
 * Encrypted uplinks over UDP into a hub process: MIC check, decryption,
 * codec and store. The reference is a bare UDP receiver in its own process
 * counting the same datagrams, so the ratio says what LoRaWAN costs on top
 * of the socket. Targets: ≥ 5,000 uplinks/s sustained, none lost at 2,000/s.
 */
const DEVICES = 200;
const GATEWAY = 'aa555a00000be7c1';

interface Dev {
  devEui: string;
  devAddr: Buffer;
  nwk: Buffer;
  app: Buffer;
  fcnt: number;
}

function frames(devs: Dev[], n: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const d = devs[i % devs.length]!;
    const phy = lora.fromFields({ MType: 'Unconfirmed Data Up', DevAddr: d.devAddr, FCnt: d.fcnt & 0xffff, FPort: 2, payload: Buffer.from([12, 228, 0, 225, 12, 53, 7, 48, 2, 0, 0]) }, d.app, d.nwk, undefined, msb(d.fcnt)).getPHYPayload()!;
    d.fcnt++;
    out.push(semtech.encodePushData(i & 0xffff, GATEWAY, [{ tmst: i * 1000, freq: 868.1, modu: 'LORA', datr: 'SF7BW125', codr: '4/5', rssi: -80, lsnr: 7, size: phy.length, data: phy.toString('base64'), stat: 1 }]));
  }
  return out;
}

/**
 * Sends datagrams at a target rate (or as fast as the socket takes them, in
 * chunks) and resolves when every send has completed, before closing.
 */
async function blast(port: number, packets: Buffer[], rate: number | null): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const t0 = performance.now();
  let i = 0;
  let done = 0;
  await new Promise<void>((resolve) => {
    const sent = () => {
      if (++done === packets.length) resolve();
    };
    const tick = () => {
      const due = rate === null ? Math.min(packets.length, i + 256) : Math.min(packets.length, Math.floor(((performance.now() - t0) / 1000) * rate) + 1);
      for (; i < due; i++) s.send(packets[i]!, port, '127.0.0.1', sent);
      if (i < packets.length) (rate === null ? setImmediate : (f: () => void) => setTimeout(f, 5))(tick);
    };
    tick();
  });
  const secs = (performance.now() - t0) / 1000;
  await new Promise<void>((r) => s.close(() => r()));
  return packets.length / secs;
}

async function stats(url: string, token: string): Promise<{ uplinks: number; rejected: Record<string, number>; counters: Record<string, number> }> {
  const g = (await (await fetch(`${url}/api/v1/gateways`, { headers: { authorization: `Bearer ${token}` } })).json()) as { network: { uplinks: number; rejected: Record<string, number> }; counters: Record<string, number> };
  return { uplinks: g.network.uplinks, rejected: g.network.rejected ?? {}, counters: g.counters ?? {} };
}

/** What changed between two counts, for saying why frames were lost. */
function diff(a: Record<string, number>, b: Record<string, number>): string {
  return Object.keys(b).filter((k) => (b[k] ?? 0) !== (a[k] ?? 0)).map((k) => `${k} +${(b[k] ?? 0) - (a[k] ?? 0)}`).join(', ');
}

const RATES = [1000, 2000, 3000, 4000, 5000, 6000, 8000, 10_000];
const SECONDS = 4;

/** The highest of RATES at which at most 0.1% is lost, with what was lost at each rate. */
async function sustainable(send: (packets: Buffer[], rate: number) => Promise<number>, make: (n: number) => Buffer[]): Promise<{ best: number; rows: Array<{ rate: number; lost: number }> }> {
  let best = 0;
  const rows: Array<{ rate: number; lost: number }> = [];
  for (const rate of RATES) {
    const packets = make(rate * SECONDS);
    const got = await send(packets, rate);
    const lost = packets.length - got;
    rows.push({ rate, lost });
    if (lost <= packets.length * 0.001) best = rate;
    else break;
  }
  return { best, rows };
}

async function bareSend(packets: Buffer[], rate: number): Promise<number> {
  // A plain UDP socket counting datagrams: what the network stack and one Node process allow.
  const rx = dgram.createSocket('udp4');
  let got = 0;
  rx.on('message', () => got++);
  await new Promise<void>((r) => rx.bind(0, '127.0.0.1', () => r()));
  await blast((rx.address() as { port: number }).port, packets, rate);
  await new Promise((r) => setTimeout(r, 300));
  rx.close();
  return got;
}

export async function run(): Promise<void> {
  const dir = tempDir('hyphae-bench-lorawan-');
  const hub = await startHubProcess({ dataDir: dir.path, env: { HYPHAE_ADMIN_EMAIL: 'bench@example.org', HYPHAE_ADMIN_PASSWORD: 'bench-password' } });
  try {
    const token = hyphae(['token', 'create', '--data', dir.path, '--email', 'bench@example.org']).out.trim();
    const devs: Dev[] = [];
    for (let i = 0; i < DEVICES; i++) {
      const d = { devEui: randomBytes(8).toString('hex'), devAddr: randomBytes(4), nwk: randomBytes(16), app: randomBytes(16), fcnt: 0 };
      devs.push(d);
      await fetch(`${hub.url}/api/v1/devices`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'lorawan', name: `bench ${i}`, profile: 'dragino-lse01', abp: { devEui: d.devEui, devAddr: d.devAddr.toString('hex'), nwkSKey: d.nwk.toString('hex'), appSKey: d.app.toString('hex') } }) });
    }
    // The gateway announces itself so the hub knows it.
    const pull = dgram.createSocket('udp4');
    pull.send(semtech.encodePullData(1, GATEWAY), hub.lorawanPort, '127.0.0.1');
    await new Promise((r) => setTimeout(r, 200));
    pull.close();

    const bare = await sustainable(bareSend, (n) => frames(devs.map((d) => ({ ...d })), n));
    const why: string[] = [];
    const hubSend = async (packets: Buffer[], rate: number) => {
      const start = await stats(hub.url, token);
      const before = start.uplinks;
      await blast(hub.lorawanPort, packets, rate);
      let last = -1;
      let now = before;
      // Wait until the hub stops making progress (dedup windows close 200 ms after the last frame).
      while (now !== last) {
        last = now;
        await new Promise((r) => setTimeout(r, 500));
        now = (await stats(hub.url, token)).uplinks;
      }
      if (now - before < packets.length) {
        const end = await stats(hub.url, token);
        why.push(`at ${rate}/s: ${[diff(start.rejected, end.rejected), diff(start.counters, end.counters)].filter(Boolean).join('; ') || 'nothing counted: dropped before the hub read them (socket buffer)'}`);
      }
      return now - before;
    };
    const ours = await sustainable(hubSend, (n) => frames(devs, n));
    const at2000 = ours.rows.find((r) => r.rate === 2000);
    const rss = Number((await (await fetch(`${hub.url}/api/v1/health`)).json() as { rssBytes?: number }).rssBytes ?? 0);
    // RSS counts the pages of LMDB's memory map the hub has touched (file-backed, given back
    // under memory pressure) as well as its own heap: Linux tells them apart.
    const status = (() => {
      try {
        return readFileSync(`/proc/${hub.child.pid}/status`, 'utf8');
      } catch {
        return '';
      }
    })();
    const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    console.log(`each rate for ${SECONDS} s; sustained = the highest rate with at most 0.1% lost`);
    console.table([
      { path: 'hub: MIC, decrypt, codec, store', 'sustained uplinks/s': fmt(ours.best), 'lost by rate': ours.rows.map((r) => `${r.rate}:${r.lost}`).join(' ') },
      { path: 'bare UDP receiver (reference)', 'sustained uplinks/s': fmt(bare.best), 'lost by rate': bare.rows.map((r) => `${r.rate}:${r.lost}`).join(' ') },
    ]);
    for (const w of why) console.log(`lost ${w}`);
    const split = Number.isFinite(kib('RssAnon')) ? ` (its own memory ${fmt(kib('RssAnon') / 1024 ** 2)} MiB, file-backed pages such as the LMDB map ${fmt(kib('RssFile') / 1024 ** 2)} MiB)` : '';
    console.log(`ratio hub/bare: ${fmt(ours.best / Math.max(1, bare.best), 2)}${rss ? `; hub RSS ${fmt(rss / 1024 ** 2)} MiB${split}` : ''}`);
    console.log(`targets: ≥ 5,000/s sustained → ${ours.best >= 5000 ? 'met' : 'NOT met'}; 0 lost at 2,000/s → ${at2000?.lost === 0 ? 'met' : 'NOT met'}`);
  } finally {
    await hub.stop();
    dir.remove();
  }
}
