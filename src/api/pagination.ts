import { errors } from '../errors';

interface Position {
  createdAt: string;
  id: string;
}

/** What a position read back from a cursor must look like before it goes near a query: a timestamp and a row id. */
const CREATED_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const ROW_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The position inside a `?cursor=` of a database list (base64url of the last row's position); opaque to clients. */
export function toPosition(cursor: string | undefined): Position | undefined {
  if (!cursor) return undefined;
  try {
    const position = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<Position> | null;
    const { createdAt, id } = position ?? {};
    if (typeof createdAt === 'string' && CREATED_AT.test(createdAt) && typeof id === 'string' && ROW_ID.test(id))
      return { createdAt, id };
  } catch {
    // reported below
  }
  throw errors.validation([{ field: 'cursor', message: 'is not a cursor this API issued' }]);
}

/** The list envelope. `rows` holds up to limit+1 items: the extra one only says that there is more. */
export function pageOf<T, R>(rows: T[], limit: number, position: (row: T) => Position, present: (row: T) => R) {
  const has_more = rows.length > limit;
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  return {
    data: data.map(present),
    next_cursor: has_more && last ? Buffer.from(JSON.stringify(position(last))).toString('base64url') : null,
    has_more,
  };
}
