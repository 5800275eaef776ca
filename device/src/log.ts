import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs on stdout; one line per event, with a `module` field. */
export function createLogger(level: string = process.env.HYPHAE_LOG_LEVEL ?? 'info', destination?: NodeJS.WritableStream): Logger {
  return pino({ level, base: { app: 'hyphae' }, timestamp: pino.stdTimeFunctions.isoTime }, destination ?? process.stdout);
}

export const silentLogger: Logger = pino({ level: 'silent' });
