import {
  AccessDeniedError,
  DeadlineExceededError,
  MaxAppendSizeExceededError,
  StreamNotFoundError,
  UnavailableError,
  UnknownError,
  WrongExpectedVersionError,
} from '@kurrent/kurrentdb-client';
import { InvalidAppendError, StoreUnavailableError, WrongExpectedRevisionError } from '../errors';
import { describeTarget, isRevisionConflict, isStreamNotFound, toStoreError } from './kurrentdb-errors';

const target = 'kurrentdb://db.example:2113?tls=false';

describe('KurrentDB error mapping', () => {
  it('recognises a conflict and a missing stream from the client errors', () => {
    const conflict = new WrongExpectedVersionError(undefined, { streamName: 's-1', expected: 0n, current: 1n });

    expect(isRevisionConflict(conflict)).toBe(true);
    expect(isRevisionConflict(new UnavailableError(undefined))).toBe(false);
    expect(isStreamNotFound(new StreamNotFoundError(undefined, 's-1'))).toBe(true);
    expect(isStreamNotFound(conflict)).toBe(false);
  });

  it.each([
    ['unavailable', new UnavailableError(undefined), /cannot be reached/],
    ['deadline exceeded', new DeadlineExceededError(undefined), /did not answer in time/],
    ['access denied', new AccessDeniedError(undefined), /access was denied/],
    ['an unknown client error', new UnknownError(undefined), /unexpected server error/],
    ['a plain error', new Error('socket hang up'), /unexpected error.*socket hang up/],
  ])('maps %s to StoreUnavailableError naming the server and the action', (_, error, reason) => {
    const mapped = toStoreError(error, target, 'append');

    expect(mapped).toBeInstanceOf(StoreUnavailableError);
    expect(mapped.code).toBe('EVENT_STORE.UNAVAILABLE');
    expect(mapped.message).toMatch(reason);
    expect(mapped.message).toContain(target);
    expect(mapped.message).toContain('(append)');
    expect((mapped as { cause?: unknown }).cause).toBe(error);
  });

  it('names the server version when the server lacks the multi-stream append (gRPC UNIMPLEMENTED)', () => {
    const error = Object.assign(new Error('12 UNIMPLEMENTED: unknown service'), { code: 12 });
    expect(toStoreError(error, target, 'append').message).toMatch(/KurrentDB 25\.1 or later/);
  });

  it('maps a size limit of the server to InvalidAppendError', () => {
    const mapped = toStoreError(MaxAppendSizeExceededError.fromMaxAppendSize(1024), target, 'append');
    expect(mapped).toBeInstanceOf(InvalidAppendError);
    expect(mapped.code).toBe('EVENT_STORE.INVALID_APPEND');
  });

  it('passes the port errors through unchanged', () => {
    const conflict = new WrongExpectedRevisionError('proeve-1', '0', 1);
    expect(toStoreError(conflict, target, 'append')).toBe(conflict);
  });

  it('keeps credentials out of the target it names', () => {
    expect(describeTarget('kurrentdb://admin:changeit@db.example:2113?tls=true')).toBe(
      'kurrentdb://db.example:2113?tls=true',
    );
    expect(describeTarget(target)).toBe(target);
  });
});
