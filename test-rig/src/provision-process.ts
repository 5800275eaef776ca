import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The installers' real `hyphae-provision` command, run to completion. */
export const PROVISION_BIN = fileURLToPath(new URL('../../provisioning/bin/hyphae-provision.js', import.meta.url));

export function provision(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [PROVISION_BIN, ...args], { env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    c.stdout.on('data', (d: Buffer) => (out += d));
    c.stderr.on('data', (d: Buffer) => (err += d));
    c.on('close', (code) => resolve({ code, out, err }));
  });
}
