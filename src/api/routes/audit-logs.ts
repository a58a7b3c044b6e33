import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AuditLog as AuditLogStore } from '../../store/audit-log';
import { pageOf, toPosition } from '../pagination';
import { AuditLog, AuditLogQuery } from '../schemas/audit-logs';
import { ERROR_RESPONSES } from '../schemas/common';

export function registerAuditLogRoutes(app: FastifyInstance, audit: AuditLogStore): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/audit-logs',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'The audit log, newest first',
        querystring: AuditLogQuery,
        response: { 200: AuditLog, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { limit, cursor, action, resource_id } = request.query;
      const rows = await audit.list({ limit: limit + 1, before: toPosition(cursor), action, resourceId: resource_id });
      return pageOf(
        rows,
        limit,
        (r) => ({ createdAt: r.timestamp, id: r.id }),
        (r) => r,
      );
    },
  );
}
