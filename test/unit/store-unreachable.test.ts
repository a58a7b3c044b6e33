import { isStoreUnreachable } from '../../src/store/database';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('isStoreUnreachable: an outage, told apart from a query the store refused', () => {
  test.each([
    ['connection refused', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['localhost refused on both addresses', new AggregateError([withCode('x', 'ECONNREFUSED')], '')],
    ['terminated by an administrator (pg_ctl -m fast)', withCode('terminating connection', '57P01')],
    ['the server starting up', withCode('the database system is starting up', '57P03')],
    ['a connection exception', withCode('connection failure', '08006')],
    ['the connection ended mid-query', new Error('Connection terminated unexpectedly')],
    ['no connection in time', new Error('timeout exceeded when trying to connect')],
    ['a client already broken', new Error('Client has encountered a connection error and is not queryable')],
    [
      'a migration that failed for any of these',
      new Error('database migration failed', { cause: withCode('x', 'ECONNRESET') }),
    ],
  ])('%s', (_label, err) => expect(isStoreUnreachable(err)).toBe(true));

  test.each([
    ['a missing table', withCode('relation "x" does not exist', '42P01')],
    ['a unique violation', withCode('duplicate key value', '23505')],
    ['a NUL in text', withCode('invalid byte sequence for encoding "UTF8": 0x00', '22021')],
    ['SQLite busy', withCode('database is locked', 'SQLITE_BUSY')],
    ['not an error', 'ECONNREFUSED'],
  ])('%s is not', (_label, err) => expect(isStoreUnreachable(err)).toBe(false));
});
