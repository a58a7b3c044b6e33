import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { errors } from '../../errors';
import type { AccessTokenStore, AccessTokenView, Role, TokenKind } from '../../store/access-tokens';
import type { AuditLog } from '../../store/audit-log';
import { actorOf, principalOf } from '../auth';
import { pageOf, toPosition } from '../pagination';
import { ERROR_RESPONSES, listOf, NoContent, PageQuery } from '../schemas/common';
import {
  ApiToken,
  CreateApiTokenBody,
  CreatePipelineKeyBody,
  IssuedApiToken,
  IssuedPipelineKey,
  PipelineKey,
  TokenParams,
} from '../schemas/tokens';

const SCHEMAS = {
  api_token: { create: CreateApiTokenBody, issued: IssuedApiToken, view: ApiToken, noun: 'token', secret: 'token' },
  pipeline_key: {
    create: CreatePipelineKeyBody,
    issued: IssuedPipelineKey,
    view: PipelineKey,
    noun: 'pipeline_key',
    secret: 'key',
  },
} as const;

/**
 * Issue, list and revoke bearer secrets (admin only). The secret is in the 201 response and nowhere else, ever:
 * only its hash is stored.
 */
export function registerTokenRoutes(
  app: FastifyInstance,
  opts: { tokens: AccessTokenStore; audit: AuditLog; kind: TokenKind; path: string; onRevoke: (id: string) => void },
): void {
  const { tokens, audit, kind, path } = opts;
  const { create, issued, view: viewSchema, noun, secret } = SCHEMAS[kind];
  const api = app.withTypeProvider<ZodTypeProvider>();
  const present = (v: AccessTokenView) => {
    const { kind: _kind, role, ...rest } = v;
    return kind === 'api_token' ? { ...rest, role } : rest;
  };

  api.post(
    path,
    {
      config: { role: 'admin' },
      schema: {
        summary: `Issue a ${noun.replace('_', ' ')}`,
        body: create,
        response: { 201: issued, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const input = request.body;
      const role = 'role' in input ? (input.role as Role) : undefined;
      const { token, view } = await tokens.issue({ kind, name: input.name, role, createdBy: principal.id });
      await audit.record({
        action: `${noun}.created`,
        actor: actorOf(principal, request),
        resourceType: noun,
        resourceId: view.id,
        changes: { name: { new: view.name }, ...(role ? { role: { new: role } } : {}) },
      });
      // The secret is shown this once: no cache, proxy or browser history may keep a copy.
      const { kind: _kind, role: shownRole, ...shown } = view;
      return reply
        .code(201)
        .header('cache-control', 'no-store')
        .send(secret === 'token' ? { ...shown, role: shownRole, token } : { ...shown, key: token });
    },
  );

  api.get(
    path,
    {
      config: { role: 'admin' },
      schema: {
        summary: `List ${noun.replace('_', ' ')}s`,
        querystring: PageQuery,
        response: { 200: listOf(viewSchema), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const rows = await tokens.list(kind, { limit: limit + 1, after: toPosition(cursor) });
      return pageOf(rows, limit, (r) => ({ createdAt: r.created_at, id: r.id }), present);
    },
  );

  api.delete(
    `${path}/:id`,
    {
      config: { role: 'admin' },
      schema: {
        summary: `Revoke a ${noun.replace('_', ' ')}`,
        params: TokenParams,
        response: { 204: NoContent, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const revoked = await tokens.revoke(kind, request.params.id);
      if (!revoked) throw errors.notFound(`Active ${noun.replace('_', ' ')} ${request.params.id}`);
      opts.onRevoke(revoked.id);
      await audit.record({
        action: `${noun}.revoked`,
        actor: actorOf(principal, request),
        resourceType: noun,
        resourceId: revoked.id,
        changes: { revoked_at: { new: revoked.revoked_at } },
      });
      return reply.code(204).send();
    },
  );
}
