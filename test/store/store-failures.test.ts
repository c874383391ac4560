import { describe, expect, it } from 'vitest';
import { postgresUnavailableReason } from '../../src/store/postgres-failures.js';
import { sqliteUnwritableReason } from '../../src/store/sqlite-failures.js';

const failure = (code: string | undefined, message = 'boom') => Object.assign(new Error(message), code === undefined ? {} : { code });

describe('which SQLite failures make the store unwritable', () => {
  it.each([
    ['SQLITE_FULL', /^disk full \(SQLITE_FULL: boom\)$/],
    ['SQLITE_IOERR_WRITE', /^I\/O error/],
    ['SQLITE_READONLY_DBMOVED', /^database is read-only/],
    ['SQLITE_BUSY', /^database is locked by another process/],
    ['SQLITE_BUSY_SNAPSHOT', /^database is locked/],
    ['SQLITE_CANTOPEN', /^cannot open the database file/],
    ['SQLITE_CANTOPEN_ISDIR', /^cannot open/],
  ])('%s', (code, reason) => {
    expect(sqliteUnwritableReason(failure(code))).toMatch(reason);
  });

  it.each([['SQLITE_CONSTRAINT_UNIQUE'], ['SQLITE_ERROR'], [undefined]])('not %s: a bug or bad data, thrown as it is', (code) => {
    expect(sqliteUnwritableReason(failure(code))).toBeUndefined();
  });

  it('not something that is no error at all', () => {
    expect(sqliteUnwritableReason(null)).toBeUndefined();
    expect(sqliteUnwritableReason('text')).toBeUndefined();
  });
});

describe('which PostgreSQL failures make the store unavailable', () => {
  it.each([
    ['08006', /^connection to PostgreSQL failed/],
    ['53100', /^PostgreSQL's disk is full/],
    ['53300', /^PostgreSQL is out of resources/],
    ['57P01', /^PostgreSQL is shutting down or restarting/],
    ['57P03', /^PostgreSQL is shutting down or restarting/],
    ['25006', /^PostgreSQL is read-only/],
    ['ECONNREFUSED', /^cannot reach PostgreSQL/],
    ['ECONNRESET', /^cannot reach PostgreSQL/],
  ])('%s', (code, reason) => {
    expect(postgresUnavailableReason(failure(code))).toMatch(reason);
  });

  it.each([['Connection terminated unexpectedly'], ['timeout exceeded when trying to connect'], ['Client has encountered a connection error and is not queryable']])(
    'a lost connection: %s',
    (message) => {
      expect(postgresUnavailableReason(failure(undefined, message))).toMatch(/^connection to PostgreSQL lost/);
    },
  );

  it.each([['23505'], ['22P02'], ['42P01'], [undefined]])('not %s: a bug or bad data, thrown as it is', (code) => {
    expect(postgresUnavailableReason(failure(code))).toBeUndefined();
  });
});
