import { CREDENTIAL_FIELDS, type CustomerIoConfig, CustomerIoConfigSchema, SECRET_FIELDS } from '../customerio/config';
import type { CredentialCheck } from '../customerio/http/verify-credentials';
import { UNAUTHORIZED_HELP } from '../customerio/outcomes';
import { AppError, errors, fieldProblems, type FieldProblem } from '../errors';
import type { AuditLog, Changes } from '../store/audit-log';
import { DuplicateNameError, type IntegrationStore, type IntegrationView } from '../store/integrations';
import { type CatalogVendor, findVendor } from './catalog';

/** What a secret looks like in every response; sent back on PATCH it means "keep the stored value". */
const SECRET_MASK = '********';

export interface Actor {
  id: string;
  name: string;
  ip?: string;
  userAgent?: string;
}

type CredentialVerifier = (config: CustomerIoConfig) => Promise<CredentialCheck>;

/**
 * An install as the API's route has checked it (src/api/schemas/integrations.ts): its `config` is checked here, once
 * merged with the variant's defaults.
 */
export interface InstallInput {
  name: string;
  variant: string;
  config: Record<string, unknown>;
  delivery_mode: string;
  enabled: boolean;
  /** `false` installs without asking Customer.io to confirm the credentials (offline setups). */
  verify: boolean;
}

/** A change as the API's route has checked it; its `config` is checked here, once merged with the stored one. */
export interface PatchInput {
  name?: string;
  enabled?: boolean;
  config?: Record<string, unknown>;
  change_summary?: string;
  verify: boolean;
}

interface IntegrationServiceDeps {
  store: IntegrationStore;
  audit: AuditLog;
  verify: CredentialVerifier;
  /**
   * Told about every change, so caches (credentials, intake routing) and waiting deliveries can react. `revised`
   * is an update that made a new config revision.
   */
  onChange?: (
    integrationId: string,
    change: 'created' | 'updated' | 'revised' | 'deleted',
    view?: IntegrationView,
  ) => void | Promise<void>;
}

/** Install, read, change and remove integrations: the rules behind the management API. */
export class IntegrationService {
  constructor(private readonly deps: IntegrationServiceDeps) {}

  /** The catalog's entry for `key`, or the 404 that says there is none. */
  vendor(key: string): CatalogVendor {
    const vendor = findVendor(key);
    if (!vendor) throw new AppError(404, 'VENDOR_NOT_FOUND', `There is no "${key}" in the integration catalog`);
    return vendor;
  }

  async install(vendorKey: string, input: InstallInput, actor: Actor): Promise<IntegrationView> {
    const vendor = this.vendor(vendorKey);
    const variant = vendor.variants.find((v) => v.key === input.variant);
    const problems: FieldProblem[] = [];
    if (!variant)
      problems.push({
        field: 'variant',
        message: `unknown variant; available: ${vendor.variants.map((v) => v.key).join(', ')}`,
      });
    if (!vendor.delivery_modes.includes(input.delivery_mode)) {
      problems.push({ field: 'delivery_mode', message: `must be one of: ${vendor.delivery_modes.join(', ')}` });
    }
    const config = CustomerIoConfigSchema.safeParse({ ...variant?.default_config, ...input.config });
    if (!config.success) problems.push(...fieldProblems(config.error.issues, 'config'));
    problems.push(...unknownConfigKeys(input.config));
    if (problems.length > 0 || !config.success || !variant) throw errors.validation(problems);

    if (await this.deps.store.findByName(input.name)) throw duplicateName(input.name);
    if (input.verify) await this.verifyOrThrow(config.data);

    const view = await this.deps.store
      .create({
        name: input.name,
        vendor: vendor.key,
        variant: variant.key,
        deliveryMode: input.delivery_mode,
        enabled: input.enabled,
        config: config.data,
        createdBy: actor.id,
        changeSummary: 'Installed from the integration catalog',
      })
      .catch(rethrowDuplicate);
    await this.audit(
      'integration.created',
      actor,
      view.id,
      configChanges(undefined, config.data, { name: input.name, enabled: input.enabled }),
    );
    await this.deps.onChange?.(view.id, 'created', view);
    return view;
  }

  async get(id: string): Promise<IntegrationView> {
    const view = await this.deps.store.get(id);
    if (!view) throw errors.notFound(`Integration ${id}`);
    return view;
  }

  list(opts: { limit: number; after?: { createdAt: string; id: string } }): Promise<IntegrationView[]> {
    return this.deps.store.list(opts);
  }

  async revisions(id: string) {
    await this.get(id);
    return this.deps.store.revisions(id);
  }

  async update(id: string, patch: PatchInput, actor: Actor): Promise<IntegrationView> {
    const current = await this.get(id);
    let nextConfig: CustomerIoConfig | undefined;
    let changes: Changes = {};
    if (patch.config) {
      const secrets = await this.deps.store.currentSecrets(id);
      const merged: Record<string, unknown> = { ...current.config, ...secrets };
      for (const [key, value] of Object.entries(patch.config)) {
        // A masked secret sent back unchanged (the client echoed what GET returned) keeps the stored one.
        if ((SECRET_FIELDS as readonly string[]).includes(key) && value === SECRET_MASK) continue;
        merged[key] = value;
      }
      const parsed = CustomerIoConfigSchema.safeParse(merged);
      const problems = [
        ...(parsed.success ? [] : fieldProblems(parsed.error.issues, 'config')),
        ...unknownConfigKeys(patch.config),
      ];
      if (problems.length > 0 || !parsed.success) throw errors.validation(problems);
      const before = { ...current.config, ...secrets } as CustomerIoConfig;
      changes = configChanges(before, parsed.data);
      if (Object.keys(changes).length > 0) {
        nextConfig = parsed.data;
        if (patch.verify && credentialsChanged(before, parsed.data)) await this.verifyOrThrow(parsed.data);
      }
    }
    if (patch.name !== undefined && patch.name !== current.name) {
      const taken = await this.deps.store.findByName(patch.name);
      if (taken && taken.id !== id) throw duplicateName(patch.name);
      changes.name = { old: current.name, new: patch.name };
    }
    if (patch.enabled !== undefined && patch.enabled !== current.enabled)
      changes.enabled = { old: current.enabled, new: patch.enabled };
    if (Object.keys(changes).length === 0) return current;

    const updated = await this.deps.store
      .update(id, {
        name: patch.name,
        enabled: patch.enabled,
        config: nextConfig,
        changeSummary: patch.change_summary || undefined,
        updatedBy: actor.id,
      })
      .catch(rethrowDuplicate);
    if (!updated) throw errors.notFound(`Integration ${id}`);
    await this.audit('integration.updated', actor, id, changes);
    await this.deps.onChange?.(id, nextConfig ? 'revised' : 'updated', updated);
    return updated;
  }

  async remove(id: string, actor: Actor): Promise<void> {
    const current = await this.get(id);
    if (!(await this.deps.store.delete(id))) throw errors.notFound(`Integration ${id}`);
    await this.audit('integration.deleted', actor, id, { name: { old: current.name } });
    await this.deps.onChange?.(id, 'deleted');
  }

  private async verifyOrThrow(config: CustomerIoConfig): Promise<void> {
    const check = await this.deps.verify(config);
    if (check.ok) return;
    switch (check.reason) {
      case 'rejected':
        throw new AppError(
          422,
          'INVALID_CREDENTIALS',
          `Customer.io rejected these credentials (HTTP ${check.status}): ${UNAUTHORIZED_HELP}.`,
          [{ field: 'config.tracking_api_key', message: 'rejected by Customer.io' }],
        );
      case 'region_mismatch':
        throw new AppError(
          422,
          'REGION_MISMATCH',
          `This Customer.io account is in the ${check.accountRegion.toUpperCase()} region: set region to "${check.accountRegion}" (US/EU mismatch).`,
          [{ field: 'config.region', message: `the account's region is "${check.accountRegion}"` }],
        );
      case 'unreachable':
        throw new AppError(
          502,
          'CUSTOMERIO_UNREACHABLE',
          `Could not verify the credentials with Customer.io (${check.detail}). Retry, or send "verify": false to save without checking.`,
        );
    }
  }

  private audit(action: string, actor: Actor, resourceId: string, changes: Changes): Promise<void> {
    return this.deps.audit.record({ action, actor, resourceType: 'integration', resourceId, changes });
  }
}

/** The integration as the API shows it: every secret field present, and masked. */
export function presentIntegration(
  view: IntegrationView,
): Omit<IntegrationView, 'config'> & { config: Record<string, unknown> } {
  const masked = Object.fromEntries(SECRET_FIELDS.map((f) => [f, SECRET_MASK]));
  return { ...view, config: { ...view.config, ...masked } };
}

function credentialsChanged(before: CustomerIoConfig, after: CustomerIoConfig): boolean {
  return CREDENTIAL_FIELDS.some((field) => before[field] !== after[field]);
}

/** Old/new per changed config field; secrets only say that they changed. */
function configChanges(
  before: CustomerIoConfig | undefined,
  after: CustomerIoConfig,
  extra: Record<string, unknown> = {},
): Changes {
  const changes: Changes = {};
  for (const key of Object.keys(after) as (keyof CustomerIoConfig)[]) {
    const old = before?.[key];
    if (JSON.stringify(old) === JSON.stringify(after[key])) continue;
    const secret = (SECRET_FIELDS as readonly string[]).includes(key);
    changes[`config.${key}`] = secret
      ? { ...(before ? { old: '[redacted]' } : {}), new: '[redacted]' }
      : { ...(before ? { old } : {}), new: after[key] };
  }
  for (const [key, value] of Object.entries(extra)) changes[key] = { new: value };
  return changes;
}

function unknownConfigKeys(config: Record<string, unknown>): FieldProblem[] {
  const known = new Set(Object.keys(CustomerIoConfigSchema.shape));
  return Object.keys(config)
    .filter((k) => !known.has(k))
    .map((k) => ({ field: `config.${k}`, message: 'is not a Customer.io configuration field' }));
}

function duplicateName(name: string): AppError {
  return errors.conflict('DUPLICATE_NAME', `An integration named "${name}" already exists: choose another name`);
}

function rethrowDuplicate(err: unknown): never {
  if (err instanceof DuplicateNameError) throw duplicateName(err.integrationName);
  throw err;
}
