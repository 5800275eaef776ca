/**
 * What drivers hand to the hub. A driver turns bytes into readings and
 * events and gives them to a sink the hub passes in; it never stores
 * anything itself.
 */
export interface Reading {
  /** The device's id in the hub's registry (DevEUI, or a Modbus device name). */
  device: string;
  metric: string;
  value: number;
  unit: string | null;
  /** When the hub received it (ms since the epoch), corrected by gateway GPS time when there is one. */
  at: number;
}

export interface DeviceHealth {
  device: string;
  lastSeen: number;
  rssi?: number;
  snr?: number;
  battery?: number | null;
  errors?: number;
}

export interface DriverEvent {
  device: string | null;
  /** A stable name for what happened, e.g. "mic-invalid", "modbus-timeout". */
  kind: string;
  detail?: Record<string, unknown>;
}

export interface ReadingSink {
  readings(batch: Reading[]): void;
  health(h: DeviceHealth): void;
  event(e: DriverEvent): void;
}

/** Errors say whether retrying can help. */
export class DriverError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly kind: string,
  ) {
    super(message);
    this.name = 'DriverError';
  }
}

/**
 * Counts bad input per source and logs once per burst: the first of a kind,
 * then at most one summary a minute, so a noisy gateway cannot flood the log.
 */
export class BurstCounter {
  private readonly counts = new Map<string, { total: number; sinceLog: number; lastLog: number }>();
  constructor(
    private readonly logLine: (key: string, count: number, detail: unknown) => void,
    private readonly windowMs = 60_000,
  ) {}

  count(key: string, detail?: unknown, now = Date.now()): void {
    const c = this.counts.get(key) ?? { total: 0, sinceLog: 0, lastLog: 0 };
    c.total++;
    c.sinceLog++;
    if (now - c.lastLog >= this.windowMs) {
      this.logLine(key, c.sinceLog, detail);
      c.sinceLog = 0;
      c.lastLog = now;
    }
    this.counts.set(key, c);
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.counts].map(([k, v]) => [k, v.total]));
  }
}
