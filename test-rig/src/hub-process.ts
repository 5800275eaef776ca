import { readFileSync } from 'node:fs';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The real `hyphae` command, as installers and CI run it. */
export const HYPHAE_BIN = fileURLToPath(new URL('../../device/bin/hyphae.js', import.meta.url));

export interface HubProcess {
  child: ChildProcess;
  port: number;
  lorawanPort: number;
  /** The Basics Station (WebSocket) port, or null when it is off or could not be had. */
  stationPort: number | null;
  url: string;
  /** Every log line the hub printed, parsed. */
  logs: Array<Record<string, unknown>>;
  stop(): Promise<number | null>;
  kill9(): Promise<void>;
}

export interface StartOptions {
  dataDir: string;
  port?: number;
  /** UDP port for the packet forwarder; 0 (the default here) picks a free one. */
  lorawanPort?: number;
  /** TCP port for Basics Station gateways; 0 (the default here) picks a free one. */
  stationPort?: number;
  args?: string[];
  env?: Record<string, string>;
  timeoutMs?: number;
  /** Address to listen on; 127.0.0.1 unless given. */
  host?: string;
  /** Run the hub inside this network namespace (`ip netns exec`), for tests that cut links. */
  netns?: string;
  /** Flags for node itself (benches run the hub with the card's heap cap). */
  nodeArgs?: string[];
}

/** Starts a hub process and resolves once it has logged "hub started" with its port. */
export function startHubProcess(opts: StartOptions): Promise<HubProcess> {
  // HYPHAE_HUB_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the hub under a benchmark.
  const nodeArgs = [...(opts.nodeArgs ?? []), ...(process.env.HYPHAE_HUB_NODE_ARGS ?? '').split(' ').filter(Boolean)];
  const args = [
    ...nodeArgs,
    HYPHAE_BIN,
    'start',
    '--data',
    opts.dataDir,
    '--port',
    String(opts.port ?? 0),
    '--host',
    opts.host ?? '127.0.0.1',
    '--lorawan-port',
    String(opts.lorawanPort ?? 0),
    '--station-port',
    String(opts.stationPort ?? 0),
    ...(opts.args ?? []),
  ];
  // `ip netns exec` enters the namespace and execs node, so signals reach the hub itself.
  const [cmd, argv] = opts.netns ? ['ip', ['netns', 'exec', opts.netns, process.execPath, ...args]] : [process.execPath, args];
  const child = spawn(cmd, argv, { env: { ...process.env, HYPHAE_LOG_LEVEL: 'info', ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: Array<Record<string, unknown>> = [];
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`hub did not start within ${opts.timeoutMs ?? 20_000} ms\n${stderr}`));
    }, opts.timeoutMs ?? 20_000);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`hub exited with ${code} before starting\n${stderr}`));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let rec: Record<string, unknown>;
      try {
        rec = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      logs.push(rec);
      if (rec.msg === 'hub started') {
        clearTimeout(timer);
        const port = Number(rec.port);
        resolve({
          child,
          port,
          lorawanPort: Number(rec.lorawanPort),
          stationPort: typeof rec.stationPort === 'number' ? rec.stationPort : null,
          url: `http://127.0.0.1:${port}`,
          logs,
          stop: async () => {
            child.kill('SIGTERM');
            // A hub that does not shut down is a bug to report, not a test to hang.
            let timer: NodeJS.Timeout | undefined;
            const late = new Promise<never>((_, reject) => {
              timer = setTimeout(() => {
                child.kill('SIGKILL');
                reject(
                  new Error(
                    `hub did not exit within 20 s of SIGTERM; killed. Last logs:\n${logs
                      .slice(-10)
                      .map((l) => JSON.stringify(l))
                      .join('\n')}`,
                  ),
                );
              }, 20_000);
            });
            try {
              return await Promise.race([exited, late]);
            } finally {
              clearTimeout(timer);
            }
          },
          kill9: async () => {
            child.kill('SIGKILL');
            await exited;
          },
        });
      }
    });
  });
}

/** Runs a `hyphae` subcommand to completion. */
export function hyphae(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [HYPHAE_BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Runs a `hyphae` subcommand without blocking this process (for simulators living here). */
export function hyphaeAsync(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [HYPHAE_BIN, ...args], { env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

/** The node flags the SD card's hyphae.service runs the hub with (its heap cap), so benches measure the hub as it runs there. */
export function cardNodeArgs(): string[] {
  const unit = readFileSync(fileURLToPath(new URL('../../os-image/rpi/templates/hyphae.service', import.meta.url)), 'utf8');
  return [...(/^ExecStart=\S*node((?:\s+--[\w-]+=\S+)*)/m.exec(unit)?.[1] ?? '').trim().split(/\s+/).filter(Boolean)];
}
