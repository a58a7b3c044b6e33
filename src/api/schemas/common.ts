import { z } from 'zod';
import { plainTextProblem } from '../../shared/plain-text';
import { ERROR_CODES } from '../error-codes';

/**
 * Building blocks of the route schemas. Every query and path value is plain text (no control characters, well-formed
 * Unicode) and bounded; schemas carry descriptions so that the OpenAPI document can be generated from them.
 */

/** Text that may be stored, logged, put in a visibility query or a URL: see plainTextProblem. `trim` trims it first. */
export function plainText(max: number, { trim = false } = {}) {
  return (trim ? z.string().trim() : z.string()).max(max).superRefine((value, ctx) => {
    const problem = plainTextProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
}

/** An empty query parameter (`?status=`) means "no filter", as a form with a blank select sends it. */
export function optionalParam<T extends z.ZodTypeAny>(schema: T) {
  return z.preprocess((v) => (v === '' ? undefined : v), schema.optional());
}

/** Ids of stored rows are a prefix and hex (store/ids.ts): letters, digits, `_` and `-` are all an id can hold. */
export const RowId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'is not an id: letters, digits, "_" and "-", at most 64')
  .describe('Row id, e.g. int_4e1f0c…');

export const IsoTime = z.iso.datetime({
  offset: true,
  message: 'must be an ISO 8601 date-time, e.g. 2026-11-29T10:00:00Z',
});

export const MAX_PAGE_SIZE = 100;

export const PageLimit = z.coerce
  .number()
  .int()
  .min(1)
  .max(MAX_PAGE_SIZE, `limit can be at most ${MAX_PAGE_SIZE}`)
  .default(50)
  .describe(`Page size, 1 to ${MAX_PAGE_SIZE}`);

/** `?cursor=&limit=` of the lists kept in the database. */
export const PageQuery = z
  .strictObject({
    limit: PageLimit,
    cursor: optionalParam(plainText(500).describe('next_cursor of the previous page')),
  })
  .describe('Cursor pagination');

/** Routes that take no query parameters still refuse hostile ones, but tolerate others (cache busters). */
export const NoQuery = z.object({}).catchall(plainText(2_000)).describe('No query parameters are read');

/** {"error":{"code","message","details"}}: every error answer. */
export const ErrorEnvelope = z
  .object({
    error: z.object({
      code: z
        .string()
        .describe(
          `Stable machine code: ${Object.entries(ERROR_CODES)
            .map(([code, [status, when]]) => `${code} (${status}): ${when}`)
            .join('; ')}`,
        )
        .meta({ examples: Object.keys(ERROR_CODES) }),
      message: z.string().describe('What went wrong and what to do, for people'),
      details: z
        .unknown()
        .optional()
        .describe('Per-field problems [{field, message}] (at most 20, then a count of the rest), or facts'),
    }),
  })
  .meta({ id: 'Error', description: 'The error envelope' });

/** The error answers a route may give: every 4xx and 5xx is the envelope. */
export const ERROR_RESPONSES = { '4xx': ErrorEnvelope, '5xx': ErrorEnvelope } as const;

/** {"data":[…],"next_cursor","has_more"}: every list. */
export function listOf<T extends z.ZodTypeAny>(item: T) {
  return z.object({
    data: z.array(item),
    next_cursor: z.string().nullable().describe('Pass as ?cursor= for the next page; null on the last'),
    has_more: z.boolean(),
  });
}

export const NoContent = z.undefined().describe('No content');
