import { EventStoreError, StoreUnavailableError } from '../errors';

/** What an operator should read for the SQLite result codes a healthy program can still meet. */
const REASONS: ReadonlyArray<readonly [prefix: string, reason: string]> = [
  ['SQLITE_FULL', 'the disk or the database is full'],
  ['SQLITE_READONLY', 'the file or its directory is read-only'],
  ['SQLITE_CANTOPEN', 'the file cannot be opened or created (missing or read-only directory, or no permission)'],
  ['SQLITE_NOTADB', 'the file is not a SQLite database'],
  ['SQLITE_CORRUPT', 'the database file is corrupt'],
  ['SQLITE_BUSY', 'another connection held the write lock for longer than the busy timeout'],
  ['SQLITE_LOCKED', 'the database is locked'],
  ['SQLITE_IOERR', 'an I/O error occurred'],
  ['SQLITE_PERM', 'access was denied'],
  ['SQLITE_AUTH', 'access was denied'],
  ['SQLITE_NOMEM', 'SQLite ran out of memory'],
];

/**
 * Maps anything the driver throws to a StoreUnavailableError, so no raw driver error leaves the port. Errors of
 * the port itself pass through unchanged. The driver's code and message stay in the text and in `cause`.
 */
export function toStoreError(error: unknown, file: string, action: string): EventStoreError {
  if (error instanceof EventStoreError) return error;
  const code = driverCode(error);
  const driverMessage = driverMessageOf(error);
  if (code === undefined && /database connection is not open/i.test(driverMessage)) {
    return new StoreUnavailableError(`Event store at ${file} is closed (${action})`, error);
  }
  const reason = code
    ? REASONS.find(([prefix]) => code.startsWith(prefix))?.[1]
    : /directory does not exist/i.test(driverMessage)
      ? 'its directory does not exist'
      : undefined;
  return new StoreUnavailableError(
    `Event store at ${file} is unavailable (${action}): ${reason ?? 'unexpected driver error'} ` +
      `[${code ?? 'no code'}: ${driverMessage}]`,
    error,
  );
}

export function driverCode(error: unknown): string | undefined {
  if (error === null || typeof error !== 'object' || !('code' in error)) return undefined;
  const { code } = error as { code: unknown };
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

/**
 * Duck-typed on purpose: the native addon keeps the SqliteError class of the first realm that loaded it, so under
 * Jest (one VM context per test file) its errors are not `instanceof Error` of the current realm.
 */
export function driverMessageOf(error: unknown): string {
  if (error !== null && typeof error === 'object' && 'message' in error) {
    const { message } = error as { message: unknown };
    if (typeof message === 'string') return message;
  }
  return String(error);
}
