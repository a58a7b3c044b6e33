import { z } from 'zod';
import { SignalEventSchema } from '../../shared/event-schema';
import { documentedOnly } from './documented';

/** Event bodies are the event schema's (src/shared/event-schema.ts): the intake parses each event on its own. */

const Problem = z.object({ field: z.string(), message: z.string() });

export const IntakeReceipt = z
  .object({
    accepted: z.number().describe('Events Temporal now holds'),
    duplicates: z.number().describe('Deliveries that already existed (same messageId)'),
    deliveries: z.array(
      z.object({
        message_id: z.string(),
        integration_id: z.string(),
        workflow_id: z.string(),
        status: z.enum(['started', 'duplicate']),
        filtered: z.literal('consent_denied').optional(),
      }),
    ),
    rejected: z
      .array(z.object({ index: z.number(), errors: z.array(Problem) }))
      .optional()
      .describe('Batch only: the events refused, by index'),
  })
  .meta({ id: 'IntakeReceipt', description: 'What the intake handed to Temporal' });

/** The README's test event. */
const TEST_EVENT = { type: 'identify', userId: 'test-user', traits: { email: 'test@example.com', name: 'Test' } };

export const MAX_BATCH_EVENTS = 500;

export const EventBody = documentedOnly(
  SignalEventSchema.meta({ id: 'SignalEvent', description: 'One Signal event (Segment spec)', examples: [TEST_EVENT] }),
);

export const BatchBody = documentedOnly(
  z.object({ batch: z.array(SignalEventSchema).min(1).max(MAX_BATCH_EVENTS) }).meta({
    id: 'Batch',
    description: 'Up to 500 events; each is accepted or refused on its own',
    examples: [{ batch: [TEST_EVENT] }],
  }),
);
