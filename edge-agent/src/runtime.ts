/** Things the agent takes from its surroundings, so tests can replace clocks, timers, randomness and logs. */

/** Opaque: whatever the timer implementation hands back. */
export type TimerHandle = unknown;

export interface Timers {
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, Math.max(0, ms)),
  clearTimeout: (handle) => {
    if (handle) clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};

export interface Logger {
  info(msg: string, extra?: Record<string, unknown>): void;
  warn(msg: string, extra?: Record<string, unknown>): void;
  error(msg: string, extra?: Record<string, unknown>): void;
}

function line(level: string, prefix: string, msg: string, extra?: Record<string, unknown>): string {
  const tail = extra && Object.keys(extra).length > 0 ? ` ${JSON.stringify(extra)}` : '';
  return `${new Date().toISOString()} ${level} ${prefix}${msg}${tail}`;
}

export function consoleLogger(prefix = ''): Logger {
  return {
    info: (msg, extra) => console.log(line('INFO ', prefix, msg, extra)),
    warn: (msg, extra) => console.warn(line('WARN ', prefix, msg, extra)),
    error: (msg, extra) => console.error(line('ERROR', prefix, msg, extra)),
  };
}

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };

/** A promise that resolves after `ms` on the given timers. */
export function sleep(timers: Timers, ms: number): Promise<void> {
  return new Promise((resolve) => timers.setTimeout(resolve, ms));
}

/**
 * Exponential backoff with full jitter, bounded below and above: attempt 0 waits `minMs`,
 * attempt n waits uniformly between `minMs` and min(maxMs, minMs * 2^n).
 */
export function backoffDelay(attempt: number, minMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30));
  if (ceiling <= minMs) return minMs;
  return Math.round(minMs + random() * (ceiling - minMs));
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Wait for `p`, but no longer than `ms`; the timer is cleared either way. Resolves to undefined on timeout. */
export async function withTimeout<T>(timers: Timers, p: Promise<T>, ms: number): Promise<T | undefined> {
  let handle: TimerHandle = null;
  const timeout = new Promise<undefined>((resolve) => {
    handle = timers.setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    timers.clearTimeout(handle);
  }
}
