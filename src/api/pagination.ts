import { z } from 'zod';
import { errors, parseInput } from '../errors';

export const MAX_PAGE_SIZE = 100;

const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE, `limit can be at most ${MAX_PAGE_SIZE}`).default(50),
  cursor: z.string().max(500).optional(),
});

interface Position {
  createdAt: string;
  id: string;
}

interface Page {
  limit: number;
  position?: Position;
}

/** `?cursor=&limit=`; the cursor is opaque to clients (base64url of the last row's position). */
export function parsePage(query: unknown): Page {
  const { limit, cursor } = parseInput(PageQuery, query ?? {});
  if (!cursor) return { limit };
  try {
    const position = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Position;
    if (typeof position.createdAt === 'string' && typeof position.id === 'string') return { limit, position };
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
