import type { FastifyInstance } from 'fastify';
import type { AuditLog } from '../../store/audit-log';
import { requireRole } from '../auth';
import { pageOf, parsePage } from '../pagination';

export function registerAuditLogRoutes(app: FastifyInstance, audit: AuditLog): void {
  app.get<{ Querystring: { action?: string; resource_id?: string } }>('/audit-logs', async (request) => {
    requireRole(request.principal, 'admin');
    const { limit, position } = parsePage(request.query);
    const rows = await audit.list({
      limit: limit + 1,
      before: position,
      action: request.query.action || undefined,
      resourceId: request.query.resource_id || undefined,
    });
    return pageOf(
      rows,
      limit,
      (r) => ({ createdAt: r.timestamp, id: r.id }),
      (r) => r,
    );
  });
}
