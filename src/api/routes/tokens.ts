import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { errors, parseInput } from '../../errors';
import {
  type AccessTokenStore,
  type AccessTokenView,
  type Role,
  ROLES,
  type TokenKind,
} from '../../store/access-tokens';
import type { AuditLog } from '../../store/audit-log';
import { actorOf, requireRole } from '../auth';
import { pageOf, parsePage } from '../pagination';

const CreateApiToken = z.strictObject({ name: z.string().trim().min(1).max(200), role: z.enum(ROLES) });
const CreatePipelineKey = z.strictObject({ name: z.string().trim().min(1).max(200) });

/**
 * Issue, list and revoke bearer secrets (admin only). The secret is in the 201 response and nowhere else, ever:
 * only its hash is stored.
 */
export function registerTokenRoutes(
  app: FastifyInstance,
  opts: { tokens: AccessTokenStore; audit: AuditLog; kind: TokenKind; path: string; onRevoke: () => void },
): void {
  const { tokens, audit, kind, path } = opts;
  const noun = kind === 'api_token' ? 'token' : 'pipeline_key';
  const present = (v: AccessTokenView) => {
    const { kind: _kind, role, ...rest } = v;
    return kind === 'api_token' ? { ...rest, role } : rest;
  };

  app.post(path, async (request, reply) => {
    const principal = requireRole(request.principal, 'admin');
    const input = parseInput(kind === 'api_token' ? CreateApiToken : CreatePipelineKey, request.body ?? {});
    const role = 'role' in input ? (input.role as Role) : undefined;
    const { token, view } = await tokens.issue({ kind, name: input.name, role, createdBy: principal.id });
    await audit.record({
      action: `${noun}.created`,
      actor: actorOf(principal, request),
      resourceType: noun,
      resourceId: view.id,
      changes: { name: { new: view.name }, ...(role ? { role: { new: role } } : {}) },
    });
    return reply.code(201).send({ ...present(view), [kind === 'api_token' ? 'token' : 'key']: token });
  });

  app.get(path, async (request) => {
    requireRole(request.principal, 'admin');
    const { limit, position } = parsePage(request.query);
    const rows = await tokens.list(kind, { limit: limit + 1, after: position });
    return pageOf(rows, limit, (r) => ({ createdAt: r.created_at, id: r.id }), present);
  });

  app.delete<{ Params: { id: string } }>(`${path}/:id`, async (request, reply) => {
    const principal = requireRole(request.principal, 'admin');
    const revoked = await tokens.revoke(kind, request.params.id);
    if (!revoked) throw errors.notFound(`Active ${noun.replace('_', ' ')} ${request.params.id}`);
    opts.onRevoke();
    await audit.record({
      action: `${noun}.revoked`,
      actor: actorOf(principal, request),
      resourceType: noun,
      resourceId: revoked.id,
      changes: { revoked_at: { new: revoked.revoked_at } },
    });
    return reply.code(204).send();
  });
}
