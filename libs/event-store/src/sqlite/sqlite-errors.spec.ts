import Database from 'better-sqlite3';
import { StoreUnavailableError, WrongExpectedRevisionError } from '../errors';
import { toStoreError } from './sqlite-errors';

describe('toStoreError', () => {
  it.each([
    ['SQLITE_FULL', 'database or disk is full', /the disk or the database is full/],
    ['SQLITE_READONLY_DIRECTORY', 'attempt to write a readonly database', /read-only/],
    ['SQLITE_CANTOPEN', 'unable to open database file', /cannot be opened/],
    ['SQLITE_BUSY', 'database is locked', /busy timeout/],
    ['SQLITE_IOERR_FSYNC', 'disk I/O error', /I\/O error/],
    ['SQLITE_SOMETHING_NEW', 'new', /unexpected driver error/],
  ])('maps %s to StoreUnavailableError with a readable reason', (code, message, reason) => {
    const driverError = new Database.SqliteError(message, code);

    const mapped = toStoreError(driverError, '/data/events.db', 'append');

    expect(mapped).toBeInstanceOf(StoreUnavailableError);
    expect(mapped.code).toBe('EVENT_STORE.UNAVAILABLE');
    expect(mapped.message).toMatch(reason);
    expect(mapped.message).toContain('/data/events.db');
    expect(mapped.message).toContain(code);
    expect((mapped as { cause?: unknown }).cause).toBe(driverError);
  });

  it('reports a closed connection as a closed store', () => {
    const mapped = toStoreError(new TypeError('The database connection is not open'), '/data/events.db', 'readAll');
    expect(mapped.message).toMatch(/is closed/);
  });

  it('passes the port errors through unchanged', () => {
    const conflict = new WrongExpectedRevisionError('proeve-1', '0', 1);
    expect(toStoreError(conflict, '/data/events.db', 'append')).toBe(conflict);
  });
});
