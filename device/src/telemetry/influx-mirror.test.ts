import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../log.js';
import { makeCore, T0 } from '../test-support.js';
import { InfluxMirror } from './influx-mirror.js';

/** Against a real line-protocol server: Debian's victoria-metrics, which accepts InfluxDB v2 writes. */
const VM = '/usr/bin/victoria-metrics';
const dir = mkdtempSync(join(tmpdir(), 'hyphae-vm-'));
let vm: ChildProcess | undefined;
afterAll(() => {
  vm?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});
const freePort = () =>
  new Promise<number>((r) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => r(p));
    });
  });
async function startVm(port: number) {
  vm = spawn(VM, [`-httpListenAddr=127.0.0.1:${port}`, `-storageDataPath=${join(dir, 'data')}`, '-search.latencyOffset=0s', '-retentionPeriod=100y'], {
    stdio: 'ignore',
  });
  for (let i = 0; i < 100; i++) {
    if (
      await fetch(`http://127.0.0.1:${port}/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('victoria-metrics did not start');
}
async function stopVm() {
  const p = vm!;
  vm = undefined;
  p.kill('SIGTERM');
  await new Promise((r) => p.once('exit', r));
}
async function exported(port: number): Promise<number[]> {
  await fetch(`http://127.0.0.1:${port}/internal/force_flush`);
  const text = await (await fetch(`http://127.0.0.1:${port}/api/v1/export?match[]={__name__=~"soilMoisture.*"}`)).text();
  return text
    .trim()
    .split('\n')
    .filter(Boolean)
    .flatMap((l) => (JSON.parse(l) as { values: number[] }).values);
}
const until = async (cond: () => Promise<boolean>, ms = 15_000) => {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 200));
  }
};

describe.skipIf(!existsSync(VM))('InfluxDB mirror', () => {
  it('sends committed points, buffers them in LMDB while the server is down, and delivers them all when it returns', { timeout: 60_000 }, async () => {
    const port = await freePort();
    await startVm(port);
    const core = makeCore({ telemetry: { flushIntervalMs: 100 } });
    const mirror = new InfluxMirror(
      core.store,
      { url: `http://127.0.0.1:${port}`, org: 'hyphae', bucket: 'hub', token: 'x', maxBuffered: 10_000, batchSize: 50 },
      silentLogger,
    );
    core.telemetry.addSink(mirror);
    try {
      for (let i = 0; i < 40; i++) core.telemetry.write({ sensor: 'probe', metric: 'soilMoisture', t: T0 + i * 60_000, value: i });
      await core.telemetry.flush();
      await until(async () => (await exported(port)).length === 40);

      await stopVm(); // mid-stream
      for (let i = 40; i < 100; i++) core.telemetry.write({ sensor: 'probe', metric: 'soilMoisture', t: T0 + i * 60_000, value: i });
      await core.telemetry.flush();
      await until(async () => (await mirror.send(), mirror.buffered() === 60 && mirror.stats.failures > 0));

      await startVm(port);
      await until(async () => (await mirror.send(), mirror.buffered() === 0));
      await until(async () => (await exported(port)).length === 100);
      expect((await exported(port)).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
      expect(mirror.stats).toMatchObject({ sent: 100, dropped: 0 });
    } finally {
      await core.cleanup();
    }
  });

  it('drops the oldest points beyond its bound, and counts them', async () => {
    const core = makeCore();
    const mirror = new InfluxMirror(core.store, { url: 'http://127.0.0.1:1', org: 'o', bucket: 'b', token: 't', maxBuffered: 10, batchSize: 5 }, silentLogger);
    try {
      mirror.onCommitted(Array.from({ length: 25 }, (_, i) => ({ sensor: 's', metric: 'm', t: T0 + i, value: i })));
      await until(async () => mirror.stats.failures > 0);
      expect(mirror.buffered()).toBe(10);
      expect(mirror.stats.dropped).toBe(15);
    } finally {
      await core.cleanup();
    }
  });
});
