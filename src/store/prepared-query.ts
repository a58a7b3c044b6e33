import type { Compilable, CompiledQuery, QueryResult } from 'kysely';
import type { Db } from './database';

/**
 * A query built and compiled once, then run with new arguments. Kysely builds and compiles a query every time it
 * runs; for the order book's three statements per delivery that was most of the ordered path's extra CPU in the
 * service (a CPU profile of `npm run bench`: 1.4 s of Kysely for 2,000 deliveries). `build` receives one placeholder
 * per argument and must put each where its value goes; the compiled text (SQLite's `?` or PostgreSQL's `$n`, whatever
 * the database is) is kept, and the placeholders' places in its parameters are filled with the arguments at each run.
 * Parameters that are not placeholders (constants of the query) keep their values.
 */
export function preparedQuery<Row, Args extends unknown[]>(
  db: Db,
  arity: Args['length'],
  build: (...placeholders: Args) => Compilable<Row>,
): (...args: Args) => Promise<QueryResult<Row>> {
  let compiled: { query: CompiledQuery<Row>; from: number[] } | undefined;
  const placeholders = Array.from({ length: arity }, (_, i) => `\u0000placeholder ${i}\u0000`) as Args;
  return async (...args) => {
    if (!compiled) {
      const query = build(...placeholders).compile();
      const from = query.parameters.map((p) => placeholders.indexOf(p));
      const missing = placeholders.findIndex((p) => !query.parameters.includes(p));
      if (missing >= 0) throw new Error(`preparedQuery: placeholder ${missing} is not a parameter of ${query.sql}`);
      compiled = { query, from };
    }
    const { query, from } = compiled;
    const parameters = query.parameters.map((p, i) => (from[i]! >= 0 ? args[from[i]!] : p));
    return db.executeQuery<Row>({ ...query, parameters });
  };
}
