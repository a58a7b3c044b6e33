import type { FastifyRequest } from 'fastify';
import { errors } from '../errors';
import type { Actor } from '../integrations/service';
import { type AccessTokenStore, type Role, ROLES, secretsEqual, type TokenKind } from '../store/access-tokens';

export interface Principal {
  id: string;
  name: string;
  role: Role;
}

const RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2 };

export function hasRole(principal: Principal, needed: Role): boolean {
  return RANK[principal.role] >= RANK[needed];
}

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

interface AuthOptions {
  tokens: AccessTokenStore;
  bootstrapAdminToken?: string;
  bootstrapPipelineKey?: string;
  /**
   * Pipeline keys are checked on every event; a good one is trusted this long before the store is asked again. A key
   * revoked through this process stops at once; on other replicas within this bound (PIPELINE_KEY_CACHE_MS).
   */
  pipelineKeyCacheMs: number;
  now?: () => number;
}

/**
 * Who is calling. Admin tokens have a role; pipeline keys may only post events. Bootstrap secrets come from the
 * environment and are compared in constant time; issued ones are looked up by their SHA-256 hash.
 */
export class Authenticator {
  private readonly pipelineCache = new Map<string, { principal: Principal; at: number }>();

  constructor(private readonly options: AuthOptions) {}

  async admin(token: string | undefined): Promise<Principal | undefined> {
    if (!token) return undefined;
    const boot = this.options.bootstrapAdminToken;
    if (boot && secretsEqual(token, boot))
      return { id: 'bootstrap-admin', name: 'bootstrap admin (SIGNAL_ADMIN_TOKEN)', role: 'admin' };
    return this.lookup('api_token', token);
  }

  async pipeline(token: string | undefined): Promise<Principal | undefined> {
    if (!token) return undefined;
    const boot = this.options.bootstrapPipelineKey;
    if (boot && secretsEqual(token, boot))
      return { id: 'bootstrap-pipeline', name: 'bootstrap pipeline key (SIGNAL_PIPELINE_KEY)', role: 'viewer' };
    const now = (this.options.now ?? Date.now)();
    const cached = this.pipelineCache.get(token);
    if (cached && now - cached.at < this.options.pipelineKeyCacheMs) return cached.principal;
    const principal = await this.lookup('pipeline_key', token);
    if (principal) this.pipelineCache.set(token, { principal, at: now });
    else this.pipelineCache.delete(token);
    return principal;
  }

  forgetPipelineKeys(): void {
    this.pipelineCache.clear();
  }

  private async lookup(kind: TokenKind, token: string): Promise<Principal | undefined> {
    const view = await this.options.tokens.findActive(kind, token);
    if (!view) return undefined;
    const role = view.role && (ROLES as readonly string[]).includes(view.role) ? view.role : 'viewer';
    return { id: view.id, name: view.name, role };
  }
}

/** The caller, as the authentication hook found it (every route of a scope that authenticates has one). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw errors.unauthorized();
  return request.principal;
}

export function actorOf(principal: Principal, request: FastifyRequest): Actor {
  const userAgent = request.headers['user-agent'];
  return { id: principal.id, name: principal.name, ip: request.ip, userAgent };
}
