import { StoreUnavailableError } from '@hub/event-store';

/** Exponential back-off between retries, capped; sleeps end early when the signal aborts. */
export interface BackoffOptions {
  readonly initialMs?: number;
  readonly maxMs?: number;
}

export const backoffDelay = (attempt: number, options: BackoffOptions = {}): number => {
  const initial = options.initialMs ?? 200;
  const max = options.maxMs ?? 10_000;
  return Math.min(max, initial * 2 ** Math.min(attempt, 30));
};

/** Resolves true after `ms`, or false as soon as the signal aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Logs the 1st, 2nd, 4th, 8th, … failure of a streak, so an outage is visible without flooding the log. */
export const worthLogging = (attempt: number): boolean => (attempt & (attempt - 1)) === 0;

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** The name and message of an error, for a log line. Kafka client and store errors carry no message content. */
export const describeError = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

/** SQLite result codes that mean "the file cannot be used right now", not "this input is wrong". */
const UNAVAILABLE_SQLITE = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|PROTOCOL|NOMEM|READONLY)/;

/**
 * Whether an error means a store or the vault is unavailable (transient: retry, never reject the input): the event
 * store's StoreUnavailableError, or a SQLite error with a BUSY/LOCKED/IOERR/FULL/CANTOPEN-like code.
 */
export function isUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    if (e instanceof StoreUnavailableError) return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && UNAVAILABLE_SQLITE.test(code)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
