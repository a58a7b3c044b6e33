import type { Migration } from 'kysely';
import * as m001 from './001-integrations';
import * as m002 from './002-access-and-audit';
import * as m003 from './003-integration-circuits';
import * as m004 from './004-order-book';

/** Every migration, in order. Names are stored in the database: never rename one that has shipped. */
export const migrations: Record<string, Migration> = {
  '001-integrations': m001,
  '002-access-and-audit': m002,
  '003-integration-circuits': m003,
  '004-order-book': m004,
};
