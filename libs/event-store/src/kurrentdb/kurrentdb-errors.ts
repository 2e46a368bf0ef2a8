import { EventStoreError, InvalidAppendError, StoreUnavailableError } from '../errors';

/** What an operator should read for the client error types a healthy program can still meet. */
const REASONS: Readonly<Record<string, string>> = {
  unavailable: 'the server cannot be reached',
  'deadline-exceeded': 'the server did not answer in time',
  timeout: 'the server did not answer in time',
  cancelled: 'the call was cancelled',
  'not-leader': 'the node is not the leader',
  'access-denied': 'access was denied (check the credentials in the connection string)',
  'stream-deleted': 'a stream was deleted by an operator',
  'stream-tombstoned': 'a stream was tombstoned by an operator',
  unsupported: 'the server does not support the call (multi-stream appends need KurrentDB 25.1 or later)',
  unknown: 'unexpected server error',
};

/** Size limits of the server: the append itself is too large, so it is refused like any other malformed append. */
const TOO_LARGE = new Set([
  'maximum-append-size-exceeded',
  'transaction-max-size-exceeded',
  'append-record-size-exceeded',
]);

/** The client's error type (`'wrong-expected-version'`, ...). Duck-typed: under Jest the class may be another realm's. */
export function clientErrorType(error: unknown): string | undefined {
  if (error === null || typeof error !== 'object' || !('type' in error)) return undefined;
  const { type } = error as { type: unknown };
  return typeof type === 'string' ? type : undefined;
}

/** A conflict on one of the append's expected states (the stream, the log or an id claim). */
export function isRevisionConflict(error: unknown): boolean {
  const type = clientErrorType(error);
  return type === 'wrong-expected-version' || type === 'append-consistency-violation';
}

export function isStreamNotFound(error: unknown): boolean {
  return clientErrorType(error) === 'stream-not-found';
}

/**
 * Maps anything the client throws to the port's errors, so no raw client error leaves the adapter. Errors of the port
 * pass through unchanged; the client's type and message stay in the text and in `cause`.
 */
export function toStoreError(error: unknown, target: string, action: string): EventStoreError {
  if (error instanceof EventStoreError) return error;
  const type = clientErrorType(error);
  const message = messageOf(error);
  if (type !== undefined && TOO_LARGE.has(type)) {
    return new InvalidAppendError(
      `The append to KurrentDB at ${target} is larger than the server accepts: ${message}`,
      {
        reason: type,
      },
    );
  }
  const reason = isUnimplemented(error)
    ? (REASONS['unsupported'] as string)
    : ((type && REASONS[type]) ?? (type ? 'unexpected client error' : 'unexpected error'));
  return new StoreUnavailableError(
    `Event store at ${target} is unavailable (${action}): ${reason} [${type ?? 'no type'}: ${message}]`,
    error,
  );
}

/** gRPC status 12: the server has no such call (a server older than the client's multi-stream append). */
function isUnimplemented(error: unknown): boolean {
  return error !== null && typeof error === 'object' && 'code' in error && (error as { code: unknown }).code === 12;
}

/** The connection string without credentials, for messages and logs. */
export function describeTarget(connectionString: string): string {
  return connectionString.replace(/\/\/[^@/?#]*@/, '//');
}

function messageOf(error: unknown): string {
  if (error !== null && typeof error === 'object' && 'message' in error) {
    const { message } = error as { message: unknown };
    if (typeof message === 'string' && message.length > 0) return message;
  }
  return String(error);
}
