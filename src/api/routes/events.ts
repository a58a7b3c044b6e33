import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { errors } from '../../errors';
import type { EventIntake } from '../../intake/event-intake';
import { ERROR_RESPONSES, NoQuery } from '../schemas/common';
import { BatchBody, EventBody, IntakeReceipt, MAX_BATCH_EVENTS } from '../schemas/intake';

/** Signal's gateway limit (MAX_PAYLOAD_SIZE). */
const INTAKE_BODY_LIMIT = 512_000;

/**
 * Event intake for servers and Signal's own pipeline: answers 202 once Temporal holds every delivery. The bodies are
 * not route schemas: each event is parsed on its own by the event schema, so one bad event in a batch is reported
 * by index while the others go through.
 */
export function registerIntakeRoutes(app: FastifyInstance, intake: EventIntake): void {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.post(
    '/events',
    {
      bodyLimit: INTAKE_BODY_LIMIT,
      schema: {
        summary: 'Hand over one event',
        querystring: NoQuery,
        body: EventBody,
        response: { 202: IntakeReceipt, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const body = request.body;
      if (!body || typeof body !== 'object' || Array.isArray(body)) {
        throw errors.validation([
          { field: '(body)', message: 'send one event as a JSON object (use /v1/batch for several)' },
        ]);
      }
      const receipt = await intake.ingest([body]);
      const rejected = receipt.rejected[0];
      if (rejected) throw errors.validation(rejected.errors, 'The event is invalid: see details for each field.');
      const { rejected: _none, ...accepted } = receipt;
      return reply.code(202).send(accepted);
    },
  );

  api.post(
    '/batch',
    {
      bodyLimit: INTAKE_BODY_LIMIT,
      schema: {
        summary: `Hand over up to ${MAX_BATCH_EVENTS} events: {"batch":[…]}`,
        querystring: NoQuery,
        body: BatchBody,
        response: { 202: IntakeReceipt, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const batch = (request.body as { batch?: unknown } | undefined)?.batch;
      if (!Array.isArray(batch))
        throw errors.validation([{ field: 'batch', message: 'must be an array of events: {"batch":[…]}' }]);
      if (batch.length === 0) throw errors.validation([{ field: 'batch', message: 'is empty' }]);
      if (batch.length > MAX_BATCH_EVENTS) {
        throw errors.validation([
          { field: 'batch', message: `holds ${batch.length} events; at most ${MAX_BATCH_EVENTS} per request` },
        ]);
      }
      const receipt = await intake.ingest(batch);
      if (receipt.accepted === 0) {
        throw errors.validation(
          receipt.rejected.flatMap((r) =>
            r.errors.map((e) => ({ field: `batch.${r.index}.${e.field}`, message: e.message })),
          ),
          'No event in the batch is valid: see details.',
        );
      }
      return reply.code(202).send(receipt);
    },
  );
}
