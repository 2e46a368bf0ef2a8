import { EventStoreError, StoreUnavailableError } from '../errors';

/** Socket-level codes from Node and SQLSTATE classes that mean the connection, not the statement, failed. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P01', // admin_shutdown: pg_terminate_backend or a fast shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: the server is starting or stopping
]);

/** Messages pg raises without a code when a connection is lost or cannot be made in time. */
const CONNECTION_MESSAGES =
  /Connection terminated|connection error|not queryable|timeout exceeded when trying to connect|Query read timeout|Client was closed/i;

/** What an operator should read for the SQLSTATE classes a healthy program can still meet. */
const REASONS: ReadonlyArray<readonly [prefix: string, reason: string]> = [
  ['08', 'the connection to PostgreSQL failed'],
  ['57P', 'the server terminated the connection or is shutting down'],
  ['53', 'the server is out of resources (disk, memory or connections)'],
  ['28', 'the server refused the credentials'],
  ['3D', 'the database does not exist'],
  ['42501', 'the user lacks a privilege on the schema'],
  ['25006', 'the server is read-only (a standby?)'],
];

export function driverCode(error: unknown): string | undefined {
  if (error === null || typeof error !== 'object' || !('code' in error)) return undefined;
  const { code } = error as { code: unknown };
  return typeof code === 'string' ? code : undefined;
}

export function driverMessageOf(error: unknown): string {
  if (error !== null && typeof error === 'object' && 'message' in error) {
    const { message } = error as { message: unknown };
    if (typeof message === 'string') return message;
  }
  return String(error);
}

/** True when the connection is gone: the pool must discard the client, and a read may be retried on another. */
export function isConnectionError(error: unknown): boolean {
  const code = driverCode(error);
  if (code !== undefined && (CONNECTION_CODES.has(code) || code.startsWith('08'))) return true;
  return CONNECTION_MESSAGES.test(driverMessageOf(error));
}

/** A unique violation of the given constraint (SQLSTATE 23505). */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  return driverCode(error) === '23505' && (error as { constraint?: unknown }).constraint === constraint;
}

/**
 * Maps anything the driver throws to a StoreUnavailableError, so no raw driver error leaves the port. Errors of the
 * port itself pass through unchanged. The message names the schema, never the connection string (it may hold a
 * password); the driver's code and message stay in the text and in `cause`.
 */
export function toStoreError(error: unknown, schema: string, action: string): EventStoreError {
  if (error instanceof EventStoreError) return error;
  const code = driverCode(error);
  const reason =
    (code && REASONS.find(([prefix]) => code.startsWith(prefix))?.[1]) ??
    (isConnectionError(error) ? 'the connection to PostgreSQL failed' : 'unexpected driver error');
  return new StoreUnavailableError(
    `Event store in PostgreSQL schema ${schema} is unavailable (${action}): ${reason} ` +
      `[${code ?? 'no code'}: ${driverMessageOf(error)}]`,
    error,
  );
}
