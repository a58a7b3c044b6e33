import { z } from 'zod';
import { CustomerIoConfigSchema } from '../../customerio/config';
import { InstallSchema, PatchSchema } from '../../integrations/service';
import { listOf, optionalParam, plainText, RowId } from './common';
import { documentedOnly } from './documented';

/**
 * Integrations and the catalog. Install and PATCH bodies are the integration service's to parse (it owns the rules and
 * reports unknown config keys); the route schemas cover what the URL carries and what comes back.
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

export const InstallBody = documentedOnly(
  InstallSchema.extend({ config: CustomerIoConfigSchema }).meta({
    id: 'InstallRequest',
    description: 'An integration to install: its config is checked field by field, then with Customer.io',
    examples: [PRODUCT_PAGE_INSTALL],
  }),
);

export const PatchBody = documentedOnly(
  PatchSchema.extend({ config: CustomerIoConfigSchema.partial().optional() }).meta({
    id: 'PatchRequest',
    description: 'What to change; config fields left out keep their value, "********" keeps a stored secret',
    examples: [{ enabled: false }, { config: { tracking_api_key: 'new-key' }, change_summary: 'rotated key' }],
  }),
);
