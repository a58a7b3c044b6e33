/** Table shapes as Kysely sees them. Times are ISO strings and flags 0/1 so SQLite and PostgreSQL agree. */

export interface IntegrationsTable {
  id: string;
  name: string;
  vendor: string;
  variant: string;
  delivery_mode: string;
  enabled: number;
  current_revision_id: string;
  current_revision_number: number;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

export interface IntegrationRevisionsTable {
  id: string;
  integration_id: string;
  revision_number: number;
  /** JSON of the non-secret config (site_id, region, settings). */
  config: string;
  /** AES-256-GCM envelope of the secret fields (secret-box.ts). */
  secrets: string;
  change_summary: string | null;
  created_by: string | null;
  created_at: string;
}

export interface Database {
  integrations: IntegrationsTable;
  integration_revisions: IntegrationRevisionsTable;
}
