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

export interface AccessTokensTable {
  id: string;
  /** `api_token` (management API, has a role) or `pipeline_key` (event intake). */
  kind: string;
  name: string;
  role: string | null;
  token_hash: string;
  /** The first characters of the token, to tell tokens apart in lists without revealing them. */
  token_prefix: string;
  created_by: string | null;
  created_at: string;
  revoked_at: string | null;
}

interface AuditLogsTable {
  id: string;
  action: string;
  actor_id: string | null;
  actor_name: string | null;
  resource_type: string;
  resource_id: string | null;
  /** JSON of {field: {old, new}}, secrets redacted. */
  changes: string | null;
  ip_address: string | null;
  user_agent: string | null;
  created_at: string;
}

export interface IntegrationCircuitsTable {
  integration_id: string;
  /** The worker process whose circuit this is: each worker keeps its own. */
  worker: string;
  /** closed, open or probing. */
  state: string;
  consecutive_failures: number;
  opened_at: string | null;
  next_probe_at: string | null;
  updated_at: string;
}

/** The tail of one order key's chain of handovers (src/store/order-book.ts). */
export interface OrderKeysTable {
  integration_id: string;
  /** sha256 of the order key (src/customerio/order-key.ts), hex. */
  order_key: string;
  /** The seq of the key's last handover (0: none yet). */
  next_seq: number;
  tail_workflow_id: string | null;
  last_barrier_seq: number | null;
  last_barrier_workflow_id: string | null;
  last_barrier_at: string | null;
}

/** One handed-over delivery's place in its key's chain. */
export interface OrderEntriesTable {
  workflow_id: string;
  integration_id: string;
  order_key: string;
  seq: number;
  predecessor_workflow_id: string | null;
  /** 1: a barrier (a deletion): waits for every earlier entry, is never overtaken. */
  barrier: number;
  handed_at: string;
  /** The run waits for the orderReleased signal (it checked, found what it waits for unfinished, and said so). */
  waiting_since: string | null;
  finished_at: string | null;
  outcome: string | null;
}

export interface Database {
  integrations: IntegrationsTable;
  integration_revisions: IntegrationRevisionsTable;
  access_tokens: AccessTokensTable;
  audit_logs: AuditLogsTable;
  integration_circuits: IntegrationCircuitsTable;
  order_keys: OrderKeysTable;
  order_entries: OrderEntriesTable;
}
