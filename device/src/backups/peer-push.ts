import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Clock } from '../clock.js';
import type { HubIdentity } from '../identity.js';
import { PeerBackupClient } from './peer-client.js';

/**
 * Sends the newest sealed backup to each linked hub, which keeps it for us
 * (peer-keeper.ts on its side). A hub that already has it is skipped; one
 * that is down is tried again later and the upload resumes where it broke
 * off. What each peer last received is kept in peers-status.json, so the
 * stewards' page shows the last backup per destination across restarts.
 */
export interface PeerTarget {
  hubId: string;
  name: string;
  /** The peer's address once it has answered as that hub (a claimed address gets nothing). */
  url: () => Promise<string>;
}

const Entry = z.object({
  name: z.string(),
  /** The last backup the peer confirmed it holds, and when. */
  file: z.string().nullable(),
  at: z.number().nullable(),
  /** When this hub first tried to send to the peer: overdue counts from here until a first success. */
  firstTry: z.number(),
  lastTry: z.number(),
  error: z.string().nullable(),
  /** Where the last upload started: above zero, it resumed a broken one. */
  resumedAt: z.number().int().default(0),
});
type Entry = z.infer<typeof Entry>;
export type PeerPushStatus = Entry & { hubId: string };

export class PeerBackupPush {
  private readonly statusFile: string;

  constructor(
    private readonly d: {
      dir: string;
      identity: HubIdentity;
      clock: Clock;
      log: Logger;
      targets: () => PeerTarget[];
    },
  ) {
    this.statusFile = join(d.dir, 'peers-status.json');
  }

  private read(): Record<string, Entry> {
    try {
      const parsed = z.record(z.string(), Entry).safeParse(JSON.parse(readFileSync(this.statusFile, 'utf8')));
      return parsed.success ? parsed.data : {};
    } catch {
      return {};
    }
  }

  private write(all: Record<string, Entry>): void {
    writeFileSync(`${this.statusFile}.tmp`, JSON.stringify(all), { mode: 0o600 });
    renameSync(`${this.statusFile}.tmp`, this.statusFile);
  }

  /** Each current linked hub's last backup from us. */
  status(): PeerPushStatus[] {
    const all = this.read();
    return this.d.targets().map((t) => ({
      hubId: t.hubId,
      ...(all[t.hubId] ?? { name: t.name, file: null, at: null, firstTry: 0, lastTry: 0, error: null, resumedAt: 0 }),
      name: t.name,
    }));
  }

  /** Sends `newest` to every linked hub that does not hold it yet; one peer's failure does not stop the others. */
  async push(newest: { file: string; path: string }): Promise<PeerPushStatus[]> {
    const data = readFileSync(newest.path);
    const all = this.read();
    for (const t of this.d.targets()) {
      const before = all[t.hubId];
      if (before?.file === newest.file && before.error === null) continue;
      const now = this.d.clock.now();
      const entry: Entry = {
        name: t.name,
        file: before?.file ?? null,
        at: before?.at ?? null,
        firstTry: before?.firstTry || now,
        lastTry: now,
        error: null,
        resumedAt: 0,
      };
      try {
        const client = new PeerBackupClient(await t.url(), this.d.identity);
        const r = await client.upload(newest.file, data);
        Object.assign(entry, { file: newest.file, at: this.d.clock.now(), resumedAt: r.resumedAt });
        this.d.log.info(
          { module: 'backups', peer: t.hubId, file: newest.file, sent: r.sent, resumedAt: r.resumedAt },
          r.resumedAt > 0 ? 'sealed backup sent to a linked hub, resuming a broken upload' : 'sealed backup sent to a linked hub',
        );
      } catch (e) {
        entry.error = (e as Error).message;
        this.d.log.warn({ module: 'backups', peer: t.hubId, err: entry.error }, 'a linked hub could not take our backup; trying again later');
      }
      all[t.hubId] = entry;
      this.write(all);
    }
    return this.status();
  }
}
