import { z } from 'zod';
import { CustomerIoConfigSchema } from '../../customerio/config';
import type { InstallInput, PatchInput } from '../../integrations/service';
import { listOf, optionalParam, plainText, RowId } from './common';
import { documentedAs } from './documented';

/**
 * Integrations and the catalog. The install and PATCH routes check their bodies' envelope; `config` stays a record
 * there, because its defaults come from the variant (or the stored config): the integration service checks it once
 * they are merged in, and reports unknown config keys.
 */

export const IntegrationParams = z.strictObject({ id: RowId }).describe('One integration');

export const CatalogParams = z
  .strictObject({ key: plainText(64).min(1).describe('Vendor key: customer_io (alias customerio)') })
  .describe('One catalog entry');

export const CatalogQuery = z
  .strictObject({ category: optionalParam(plainText(64).describe('Only vendors of this category, e.g. cdp')) })
  .describe('Catalog filter');

const Revision = z.object({
  id: z.string(),
  revision_number: z.number(),
  change_summary: z.string().nullable(),
  created_by: z.string().nullable(),
  created_at: z.string(),
});

export const Integration = z
  .object({
    id: z.string(),
    name: z.string(),
    vendor: z.string(),
    variant: z.string(),
    delivery_mode: z.string(),
    enabled: z.boolean(),
    config: z.record(z.string(), z.unknown()).describe('The config; secret fields are always "********"'),
    revision: Revision,
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'Integration', description: 'An installed integration' });

const CircuitState = z.enum(['closed', 'open', 'probing']);

export const Circuit = z
  .object({
    state: CircuitState.describe(
      'open: Customer.io kept answering 5xx or not at all, so deliveries wait (spending no attempts) while one probe goes out at a growing interval; probing: that probe is out; closed: deliveries go out',
    ),
    workers: z
      .array(
        z.object({
          worker: z.string().describe('The worker process (pid@host); each keeps its own circuit'),
          state: CircuitState,
          consecutive_failures: z.number(),
          opened_at: z.string().nullable(),
          next_probe_at: z.string().nullable(),
          updated_at: z.string(),
        }),
      )
      .describe('Each worker’s circuit as it last changed'),
  })
  .meta({ id: 'Circuit', description: 'The integration’s circuit to Customer.io, as the workers report it' });

export const IntegrationListed = Integration.extend({ circuit: Circuit }).meta({ id: 'IntegrationListed' });

export const IntegrationWithParked = Integration.extend({
  parked_deliveries: z.number().describe('Deliveries waiting for this integration’s credentials to be fixed'),
  circuit: Circuit,
}).meta({ id: 'IntegrationDetail' });

export const IntegrationList = listOf(IntegrationListed).meta({ id: 'IntegrationList' });
export const RevisionList = listOf(Revision.meta({ id: 'Revision' })).meta({ id: 'RevisionList' });

const ConfigField = z.object({
  key: z.string(),
  label: z.string(),
  type: z.enum(['string', 'secret', 'select', 'boolean', 'number', 'string_list']),
  required: z.boolean(),
  help_text: z.string(),
  placeholder: z.string().optional(),
  options: z.array(z.object({ value: z.string(), label: z.string() })).optional(),
  default: z.unknown().optional().describe('What the setting is when an install leaves it out'),
});

export const CatalogVendor = z
  .object({
    key: z.string(),
    name: z.string(),
    description: z.string(),
    category: z.string(),
    status: z.string(),
    website: z.string(),
    docs_url: z.string(),
    delivery_modes: z.array(z.string()),
    config_fields: z.array(ConfigField),
    variants: z.array(
      z.object({
        key: z.string(),
        name: z.string(),
        description: z.string(),
        default_config: z.record(z.string(), z.unknown()),
      }),
    ),
  })
  .meta({ id: 'CatalogVendor', description: 'A vendor of the integration catalog and its config fields' });
export const Catalog = listOf(CatalogVendor).meta({ id: 'Catalog' });

/** The product page's install body, as the README's first step sends it (test/api/openapi.test.ts holds them equal). */
export const PRODUCT_PAGE_INSTALL = {
  name: 'Customer.io',
  variant: 'default',
  config: {
    site_id: 'abc123def456',
    api_key: 'xxxxxxxxxxxxxxxxxxxx',
    tracking_api_key: 'xxxxxxxxxxxxxxxxxxxx',
    region: 'us',
  },
  delivery_mode: 'server_side',
};

/** Names and labels are stored, listed and logged: plain text only (PostgreSQL cannot even store a NUL). */
const Text = (max: number) => plainText(max, { trim: true });

/** A body that is not a JSON object at all is refused as one problem, not field by field. */
const AN_OBJECT = { error: (issue: { code: string }) => (issue.code === 'invalid_type' ? NOT_AN_OBJECT : undefined) };
const NOT_AN_OBJECT = 'the body must be a JSON object';

const InstallSchema = z.strictObject(
  {
    name: Text(200).min(1, 'name is required'),
    variant: Text(64).min(1).default('default'),
    config: z.record(z.string(), z.unknown(), { message: 'config must be an object of configuration fields' }),
    delivery_mode: Text(32).default('server_side'),
    enabled: z.boolean().default(true),
    /** `false` installs without asking Customer.io to confirm the credentials (offline setups). */
    verify: z.boolean().default(true),
  },
  AN_OBJECT,
) satisfies z.ZodType<InstallInput, unknown>;

const PatchSchema = z.strictObject(
  {
    name: Text(200).min(1).optional(),
    enabled: z.boolean().optional(),
    config: z.record(z.string(), z.unknown()).optional(),
    change_summary: Text(500).optional(),
    verify: z.boolean().default(true),
  },
  AN_OBJECT,
) satisfies z.ZodType<PatchInput, unknown>;

export const InstallBody = documentedAs(
  InstallSchema,
  InstallSchema.extend({ config: CustomerIoConfigSchema }).meta({
    id: 'InstallRequest',
    description: 'An integration to install: its config is checked field by field, then with Customer.io',
    examples: [PRODUCT_PAGE_INSTALL],
  }),
);

export const PatchBody = documentedAs(
  PatchSchema,
  PatchSchema.extend({ config: CustomerIoConfigSchema.partial().optional() }).meta({
    id: 'PatchRequest',
    description: 'What to change; config fields left out keep their value, "********" keeps a stored secret',
    examples: [{ enabled: false }, { config: { tracking_api_key: 'new-key' }, change_summary: 'rotated key' }],
  }),
);
