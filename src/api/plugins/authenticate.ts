import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { errors } from '../../errors';
import type { Role } from '../../store/access-tokens';
import { bearerToken, hasRole, type Principal } from '../auth';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
    /** Asks the store again whether the token this request authenticated with is still valid (live streams). */
    recheckPrincipal?: () => Promise<boolean>;
  }
  interface FastifyContextConfig {
    /** The route accepts the bearer token as ?token= (EventSource cannot send headers). */
    queryToken?: boolean;
    /** The least role an admin route needs; checked before its schema, so a caller without it learns nothing more. */
    role?: Role;
  }
}

export interface AuthenticateOptions {
  /** Who the token belongs to, if anyone: Authenticator.admin or .pipeline. */
  check: (token: string | undefined) => Promise<Principal | undefined>;
}

/**
 * Every route of the scope needs a bearer token that `check` knows. Only failed authentications count against the
 * caller's address, so a client with a good token is never slowed down by its neighbours' guessing; once an address
 * is over the limit, a bad token gets 429 instead of 401.
 */
async function authenticate(app: FastifyInstance, { check }: AuthenticateOptions): Promise<void> {
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const query = request.query as { token?: unknown } | undefined;
    const token =
      bearerToken(request) ??
      (request.routeOptions.config.queryToken && typeof query?.token === 'string' ? query.token : undefined);
    const principal = await check(token);
    if (principal) {
      request.principal = principal;
      request.recheckPrincipal = async () => (await check(token))?.id === principal.id;
      return;
    }
    const failures = await app.authFailures(request);
    if (!failures.isAllowed && failures.isExceeded) throw errors.rateLimited(failures.ttlInSeconds);
    throw errors.unauthorized(token ? 'The bearer token is not valid (unknown or revoked)' : undefined);
  });
}

/** Every route of the scope needs the role its config names; a route that names none is for admins only. */
async function authorize(app: FastifyInstance): Promise<void> {
  app.addHook('onRequest', async (request) => {
    const needed = request.routeOptions.config.role ?? 'admin';
    const principal = request.principal;
    if (principal && !hasRole(principal, needed)) {
      throw errors.forbidden(
        `This action needs the ${needed} role; the token "${principal.name}" has ${principal.role}`,
      );
    }
  });
}

export default fp(authenticate, { name: 'authenticate' });
export const authorizeRoles = fp(authorize, { name: 'authorize' });
