import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * chrony's word on whether the clock is synchronised, from
 * `chronyc -c tracking` (CSV; the last field is the leap status, which is
 * "Not synchronised" until chrony has a source).
 */
export function parseTracking(csv: string): boolean {
  const fields = csv.trim().split('\n')[0]?.split(',') ?? [];
  const leap = fields[fields.length - 1]?.trim() ?? '';
  return fields.length >= 14 && leap !== '' && !/not synchroni[sz]ed/i.test(leap);
}

export function chronycOnPath(): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((d) => d && existsSync(join(d, 'chronyc')));
}

/** Asks chronyc; false when it cannot answer (chronyd not running counts as not synchronised). */
export function askChrony(timeoutMs = 5_000): Promise<boolean> {
  return new Promise((resolve) => {
    execFile('chronyc', ['-c', 'tracking'], { timeout: timeoutMs }, (err, stdout) => resolve(!err && parseTracking(stdout)));
  });
}
