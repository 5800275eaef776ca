import type { Logger } from 'pino';
import { isCommitFailure } from './store/store.js';

/**
 * The last line of defence for promises nobody awaited. lmdb-js rejects an
 * internal promise when a commit fails (a full disk); that must never take
 * the hub down, or systemd's Restart=always turns a full card into a crash
 * loop. Such a failure is logged and handed to `onStorageFailure` (the disk
 * guard then refuses changes until there is room). Anything else is a bug
 * nobody understands: it is logged, the hub stops cleanly, and exits 1.
 */
export function guardProcess(log: Logger, handlers: { onStorageFailure(err: unknown): void; stop(): Promise<void> }): () => void {
  let stopping = false;
  const onRejection = (err: unknown) => {
    if (isCommitFailure(err)) {
      log.error({ module: 'hub', err: (err as Error)?.message }, 'a write failed for want of storage; changes are refused until there is room');
      handlers.onStorageFailure(err);
      return;
    }
    log.fatal({ module: 'hub', err }, 'unhandled rejection: the hub stops');
    if (stopping) return;
    stopping = true;
    process.exitCode = 1;
    void handlers.stop().finally(() => process.exit(1));
  };
  process.on('unhandledRejection', onRejection);
  return () => process.off('unhandledRejection', onRejection);
}
