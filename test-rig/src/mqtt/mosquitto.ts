import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { until } from '../wait.js';

/**
 * Debian's mosquitto on a loopback port of its own, with one user, as a
 * neighbourhood that already runs a broker would have it. Started by tests
 * and benches; stopped (and its folder removed) by `stop()`.
 */
export interface Mosquitto {
  port: number;
  url: string;
  username: string;
  password: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export const MOSQUITTO_BIN = '/usr/sbin/mosquitto';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startMosquitto(opts: { username?: string; password?: string } = {}): Promise<Mosquitto> {
  const dir = mkdtempSync(join(tmpdir(), 'hyphae-mosquitto-'));
  const username = opts.username ?? 'hyphae';
  const password = opts.password ?? 'mosquitto-test-pass';
  const passwd = join(dir, 'passwd');
  const made = spawnSync('mosquitto_passwd', ['-b', '-c', passwd, username, password], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`mosquitto_passwd failed: ${made.stderr}`);
  // Started as root (CI), mosquitto drops to its own user, which must still read its files.
  chmodSync(dir, 0o755);
  chmodSync(passwd, 0o644);
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous false',
      `password_file ${passwd}`,
      'persistence false',
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      '',
    ].join('\n'),
  );
  const child = spawn(MOSQUITTO_BIN, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const listening = () =>
    new Promise<boolean>((resolve) => {
      const s = createConnection({ port, host: '127.0.0.1' }, () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
  await until(listening, () => `mosquitto on ${port}: ${stderr}`, { timeoutMs: 10_000, everyMs: 50 });
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    username,
    password,
    child,
    async stop() {
      if (child.exitCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
