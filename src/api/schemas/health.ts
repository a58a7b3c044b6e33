import { z } from 'zod';

export const Health = z.object({ status: z.literal('ok') }).meta({ id: 'Health' });

export const Readiness = z
  .object({
    status: z.enum(['ready', 'not_ready']),
    checks: z.record(z.string(), z.enum(['ok', 'down'])).describe('Each dependency: ok or down, never why'),
  })
  .meta({ id: 'Readiness', description: 'Whether the database and Temporal answer' });
