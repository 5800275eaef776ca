import { execFileSync, fork } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import dgram from 'node:dgram';
import { fileURLToPath } from 'node:url';
import { semtech } from '@hyphae/drivers/lorawan';
import { cardNodeArgs, hyphae, startHubProcess, type HubProcess } from '@hyphae/test-rig/hub-process';
import { medianOf, printGoals, rounds } from './goals.js';
import { SimulatedStation } from '@hyphae/test-rig/basics-station';
import { blast, frames, registerDevices, stationFrames } from './uplinks.js';
import { memoryCap } from './memory-cap.js';
import { fmt, profileArgs, residentMiB, tempDir } from './util.js';

/**
 * Encrypted uplinks over UDP into a hub process: MIC check, decryption,
 * codec and store. Every rate is timed from the first frame sent to the
 * last frame stored (the network server's last uplink and the telemetry
 * store's last committed batch), never to the last frame sent. Every frame
 * the hub did not store must be counted by it: refused by the bounded
 * in-flight queue ('overloaded'), refused for another reason, or dropped by
 * the kernel because the socket's buffer was full. What no counter explains
 * is printed as uncounted.
 *
 * The reference is a bare UDP receiver in its own process, with the hub's
 * receive buffer size, counting the same datagrams sent as fast as they go.
 * The same frames also go through a simulated LoRa Basics Station over the
 * hub's WebSocket (the LNS protocol), timed the same way: its rate is
 * compared with UDP's on the same hub, in the same round.
 *
 * Last, the hub is restarted over the same store inside a 256 MiB memory
 * cgroup (where the machine lets the bench make one), and the sustained run
 * and the burst are repeated: resident memory counts LMDB's file pages,
 * which a cgroup's limit makes the kernel take back, so this shows whether
 * the hub keeps working held to that much, as MemoryMax holds it on the card.
 *
 * BENCH_SECONDS (default 60) and BENCH_ROUNDS (default 3) shorten a trial run.
 */
const DEVICES = 200;
const GATEWAY = 'aa555a00000be7c1';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SUSTAINED = 5_000;
const NO_LOSS = 2_000;
const BURST = 3 * SUSTAINED;
const BURST_SECONDS = 10;
const FLOOD = 100_000;
/** The burst again with the hub in a memory cgroup of the goal's size, as MemoryMax caps it on the card. */
const CAP_MIB = 256;

interface Counts {
  uplinks: number;
  rejected: Record<string, number>;
  kernelDrops: number;
  lastStoredAt: number;
  inFlight: number;
}

/** Drops the page cache of every file under `dir` (GNU dd's nocache; the files must not be open for writing). */
function dropPageCache(dir: string): void {
  for (const f of readdirSync(dir, { recursive: true, withFileTypes: true }))
    if (f.isFile()) execFileSync('dd', [`if=${join(f.parentPath, f.name)}`, 'iflag=nocache', 'count=0', 'status=none']);
}

async function counts(hub: HubProcess, token: string): Promise<Counts> {
  const g = (await (await fetch(`${hub.url}/api/v1/gateways`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
    network: { uplinks: number; rejected: Record<string, number>; lastUplinkAt: number; kernelDrops: number | null; inFlight: number };
    telemetry: { lastBatchAt: number };
  };
  return {
    uplinks: g.network.uplinks,
    rejected: g.network.rejected ?? {},
    kernelDrops: g.network.kernelDrops ?? 0,
    lastStoredAt: Math.max(g.network.lastUplinkAt, g.telemetry.lastBatchAt),
    inFlight: g.network.inFlight,
  };
}

/**
 * The hub's peak resident memory while `during` runs, sampled every 50 ms
 * from /proc, with its own memory (anonymous) at that moment: the rest is
 * file-backed, mostly pages of LMDB's map, which the kernel takes back
 * under pressure.
 */
async function peakRss<T>(pid: number, during: () => Promise<T>): Promise<{ result: T; peakMiB: number; anonMiB: number }> {
  let peak = 0;
  let anon = 0;
  const sample = () => {
    const m = residentMiB(pid); // null once the process is gone
    if (m && m.rss > peak) {
      peak = m.rss;
      anon = m.anon;
    }
  };
  const timer = setInterval(sample, 50);
  try {
    const result = await during();
    sample();
    return { result, peakMiB: peak, anonMiB: anon };
  } finally {
    clearInterval(timer);
  }
}

interface Trial {
  offered: number;
  sent: number;
  stored: number;
  /** Stored per second, from the first frame sent to the last one stored. */
  rate: number;
  lost: number;
  counted: number;
  uncounted: number;
  why: string;
}

async function trial(hub: HubProcess, token: string, packets: Buffer[], rate: number | null): Promise<Trial> {
  return timed(hub, token, packets.length, rate, () => blast(hub.lorawanPort, packets, rate));
}

/** The same over a Basics Station's WebSocket: `updf` messages through one connected Station. */
async function stationTrial(hub: HubProcess, token: string, station: SimulatedStation, texts: string[], rate: number | null): Promise<Trial> {
  return timed(hub, token, texts.length, rate, () => station.blast(texts, rate));
}

/** Uplinks the hub stored in all trials of this run, for the store's bytes per uplink. */
let storedInAll = 0;

/** Sends with `send`, then waits until the hub has handled everything, and counts what it stored, refused and lost. */
async function timed(hub: HubProcess, token: string, sent: number, rate: number | null, send: () => Promise<void>): Promise<Trial> {
  const before = await counts(hub, token);
  const t0 = Date.now();
  await send();
  // Until nothing is in flight and nothing moves for a second: the merge window closes 200 ms
  // after a frame, and the store flushes its last batch after that.
  let now = await counts(hub, token);
  for (;;) {
    await new Promise((r) => setTimeout(r, 1_000));
    const next = await counts(hub, token);
    const moved = next.uplinks !== now.uplinks || next.lastStoredAt !== now.lastStoredAt || next.kernelDrops !== now.kernelDrops;
    now = next;
    if (!moved && next.inFlight === 0) break;
  }
  const stored = now.uplinks - before.uplinks;
  storedInAll += stored;
  // A downlink that failed (no TX_ACK from the bench's gateway) is not a lost uplink: its frame was stored.
  const refused = Object.keys(now.rejected)
    .filter((k) => !k.startsWith('downlink'))
    .map((k) => [k, (now.rejected[k] ?? 0) - (before.rejected[k] ?? 0)] as const)
    .filter(([, n]) => n > 0);
  const dropped = now.kernelDrops - before.kernelDrops;
  const counted = refused.reduce((s, [, n]) => s + n, 0) + dropped;
  const lost = sent - stored;
  const why = [...refused.map(([k, n]) => `${k} ${fmt(n)}`), dropped ? `kernel buffer full ${fmt(dropped)}` : ''].filter(Boolean).join(', ');
  return {
    offered: rate ?? NaN,
    sent,
    stored,
    rate: stored / Math.max(0.001, (now.lastStoredAt - t0) / 1000),
    lost,
    counted,
    uncounted: Math.max(0, lost - counted),
    why,
  };
}

/** The reference: a bare UDP receiver in a child process, with the hub's buffer size; returns datagrams per second to the last one received. */
async function bareReceiver(packets: Buffer[]): Promise<{ rate: number; lost: number }> {
  const child = fork(fileURLToPath(new URL('./udp-receiver.js', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const port = await new Promise<number>((resolve) => child.once('message', (m: { port: number }) => resolve(m.port)));
    const t0 = Date.now();
    await blast(port, packets, null);
    await new Promise((r) => setTimeout(r, 1_000));
    child.send('report');
    const r = await new Promise<{ got: number; lastAt: number }>((resolve) => child.once('message', (m: { got: number; lastAt: number }) => resolve(m)));
    return { rate: r.got / Math.max(0.001, (r.lastAt - t0) / 1000), lost: packets.length - r.got };
  } finally {
    child.kill();
  }
}

export async function run(): Promise<void> {
  const dir = tempDir('hyphae-bench-lorawan-');
  // As the card runs it: with the heap cap of its hyphae.service.
  const start = () =>
    startHubProcess({
      dataDir: dir.path,
      nodeArgs: [...cardNodeArgs(), ...profileArgs()],
      env: { HYPHAE_ADMIN_EMAIL: 'bench@example.org', HYPHAE_ADMIN_PASSWORD: 'bench-password' },
    });
  let hub = await start();
  const cap = memoryCap(CAP_MIB);
  try {
    const token = hyphae(['token', 'create', '--data', dir.path, '--email', 'bench@example.org']).out.trim();
    const devs = await registerDevices(hub.url, token, DEVICES);
    const pull = dgram.createSocket('udp4');
    pull.send(semtech.encodePullData(1, GATEWAY), hub.lorawanPort, '127.0.0.1');
    await new Promise((r) => setTimeout(r, 200));
    pull.close();
    // A Basics Station gateway on the same hub, connected through router-info as a real one is.
    const station = new SimulatedStation('aa555a00000be7c2', { url: `ws://127.0.0.1:${hub.stationPort}` });
    await station.start();

    console.log(`hub run with ${cardNodeArgs().join(' ') || 'no node flags'}, as on the card`);
    console.log(
      `${DEVICES} ABP devices; ${ROUNDS} rounds; sustained and no-loss runs last ${SECONDS} s, the burst ${BURST_SECONDS} s at ${fmt(BURST)}/s; rates timed to the last frame stored`,
    );
    const rows: Array<Record<string, string>> = [];
    const row = (what: string, r: Trial, peak?: { peakMiB: number; anonMiB: number }) =>
      rows.push({
        run: what,
        sent: fmt(r.sent),
        stored: fmt(r.stored),
        'stored/s': fmt(r.rate),
        lost: fmt(r.lost),
        'counted as': r.why || '-',
        uncounted: fmt(r.uncounted),
        ...(peak ? { 'peak RSS MiB (own)': `${fmt(peak.peakMiB)} (${fmt(peak.anonMiB)})` } : {}),
      });

    const flood = await rounds(async () => {
      const bare = await bareReceiver(
        frames(
          devs.map((d) => ({ ...d })),
          FLOOD,
          GATEWAY,
        ),
      );
      const ours = await trial(hub, token, frames(devs, FLOOD, GATEWAY), null);
      row('flood (as fast as sent), Semtech UDP', ours);
      rows.push({
        run: 'bare UDP receiver, own process (reference)',
        sent: fmt(FLOOD),
        stored: fmt(FLOOD - bare.lost),
        'stored/s': fmt(bare.rate),
        lost: fmt(bare.lost),
        'counted as': '-',
        uncounted: '-',
      });
      const overStation = await stationTrial(hub, token, station, stationFrames(devs, FLOOD), null);
      row('flood (as fast as the socket drains), Basics Station', overStation);
      return { ours, bare, station: overStation };
    }, ROUNDS);
    // A run at `rate` for `seconds`, with the hub's peak memory: the sustained run and the burst, with and without a cgroup.
    const watched = async (rate: number, seconds: number, what: string) => {
      const { result, ...peak } = await peakRss(hub.child.pid!, () => trial(hub, token, frames(devs, rate * seconds, GATEWAY), rate));
      row(what, result, peak);
      return { ...result, ...peak };
    };
    const sustained = await rounds(() => watched(SUSTAINED, SECONDS, `${fmt(SUSTAINED)}/s for ${SECONDS} s`), ROUNDS);
    const noLoss = await rounds(async () => {
      const r = await trial(hub, token, frames(devs, NO_LOSS * SECONDS, GATEWAY), NO_LOSS);
      row(`${fmt(NO_LOSS)}/s for ${SECONDS} s`, r);
      return r;
    }, ROUNDS);
    const burst = await rounds(() => watched(BURST, BURST_SECONDS, `burst ${fmt(BURST)}/s for ${BURST_SECONDS} s`), ROUNDS);
    console.table(rows.splice(0));

    const ratios = flood.map((f) => f.ours.rate / f.bare.rate);
    const stationRatios = flood.map((f) => f.station.rate / f.ours.rate);
    const stationNoLoss = await rounds(async () => {
      const r = await stationTrial(hub, token, station, stationFrames(devs, NO_LOSS * SECONDS), NO_LOSS);
      row(`${fmt(NO_LOSS)}/s for ${SECONDS} s, Basics Station`, r);
      return r;
    }, ROUNDS);
    console.table(rows.splice(0));
    await station.stop();

    // The sustained run and the burst again, with the hub restarted over the same (now large) store
    // inside a memory cgroup of CAP_MIB: does it keep storing, and stay alive, when the kernel holds
    // it to that? Each burst follows a sustained run, as above, so the hub has been through as much.
    let capped: Array<Trial & { peakMiB: number; anonMiB: number }> = [];
    let oomKills = 0;
    if (typeof cap === 'string') console.log(`burst in a ${CAP_MIB} MiB memory cgroup skipped: ${cap}`);
    else {
      await hub.stop();
      // The store's pages the first hub read are in the page cache, counted to this process's cgroup:
      // dropped, so that the capped hub reads them again and they count against its limit.
      dropPageCache(dir.path);
      hub = await cap.spawnInside(start);
      capped = await rounds(async () => {
        await watched(SUSTAINED, SECONDS, `${fmt(SUSTAINED)}/s for ${SECONDS} s, hub in a ${CAP_MIB} MiB memory cgroup`);
        return watched(BURST, BURST_SECONDS, `burst ${fmt(BURST)}/s for ${BURST_SECONDS} s, hub in a ${CAP_MIB} MiB memory cgroup`);
      }, ROUNDS);
      oomKills = cap.oomKills();
      console.table(rows.splice(0));
      const { chargedMiB, limitHits } = cap.peak();
      // Resident memory counts every page of the map the hub has touched, also those the cgroup was not charged for.
      console.log(`memory charged to the hub's cgroup: at most ${fmt(chargedMiB)} MiB (page cache included); the limit was reached ${fmt(limitHits)} times`);
    }
    // What the readings cost on the card: the whole database (readings, rollups, devices, the rest) over the uplinks stored.
    const bytes = statSync(join(dir.path, 'hub.lmdb')).size;
    console.log(
      `store after ${fmt(storedInAll)} uplinks stored (${fmt(DEVICES)} Dragino LSE01 soil sensors): hub.lmdb is ${fmt(bytes / 2 ** 20)} MiB, ${fmt(bytes / Math.max(1, storedInAll))} bytes an uplink`,
    );
    const lossAtSustained = sustained.map((s) => s.lost);
    printGoals([
      {
        what: `stored/s with ${fmt(SUSTAINED)}/s offered for ${SECONDS} s (timed to the last frame stored, so the 200 ms merge window counts)`,
        median: medianOf(sustained.map((s) => s.rate)),
        worst: Math.min(...sustained.map((s) => s.rate)),
        unit: '/s',
        atLeast: SUSTAINED * 0.99,
      },
      { what: `frames lost with ${fmt(SUSTAINED)}/s offered`, median: medianOf(lossAtSustained), worst: Math.max(...lossAtSustained), unit: '', atMost: 0 },
      {
        what: `frames lost with ${fmt(NO_LOSS)}/s offered for ${SECONDS} s`,
        median: medianOf(noLoss.map((r) => r.lost)),
        worst: Math.max(...noLoss.map((r) => r.lost)),
        unit: '',
        atMost: 0,
      },
      {
        what: `hub peak RSS during the ${BURST_SECONDS} s burst at ${fmt(BURST)}/s`,
        median: medianOf(burst.map((b) => b.peakMiB)),
        worst: Math.max(...burst.map((b) => b.peakMiB)),
        unit: ' MiB',
        atMost: 256,
      },
      {
        what: `frames lost over Basics Station with ${fmt(NO_LOSS)}/s offered for ${SECONDS} s`,
        median: medianOf(stationNoLoss.map((r) => r.lost)),
        worst: Math.max(...stationNoLoss.map((r) => r.lost)),
        unit: '',
        atMost: 0,
      },
      {
        what: 'frames lost and counted by nothing (all runs)',
        median: [...flood.flatMap((f) => [f.ours, f.station]), ...sustained, ...noLoss, ...burst, ...stationNoLoss].reduce((s, r) => s + r.uncounted, 0),
        unit: '',
        atMost: 0,
      },
      {
        what: 'flood stored/s: Basics Station ÷ Semtech UDP, same hub, same frames (ratio)',
        median: medianOf(stationRatios),
        worst: Math.min(...stationRatios),
        unit: '×',
        digits: 2,
        atLeast: 0.8,
      },
      { what: 'flood: hub stored/s ÷ bare UDP receiver/s (ratio)', median: medianOf(ratios), worst: Math.min(...ratios), unit: '×', digits: 2 },
      ...(capped.length
        ? [
            { what: `hub processes killed for memory during the bursts in a ${CAP_MIB} MiB memory cgroup`, median: oomKills, unit: '', atMost: 0 },
            {
              what: `burst stored/s in a ${CAP_MIB} MiB memory cgroup ÷ without one (ratio)`,
              median: medianOf(capped.map((c) => c.rate)) / medianOf(burst.map((b) => b.rate)),
              worst: Math.min(...capped.map((c) => c.rate)) / medianOf(burst.map((b) => b.rate)),
              unit: '×',
              digits: 2,
            },
          ]
        : []),
    ]);
  } finally {
    await hub.stop();
    if (typeof cap !== 'string') cap.remove();
    dir.remove();
  }
}
