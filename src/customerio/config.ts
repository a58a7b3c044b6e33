import { z } from 'zod';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../shared/retry-policy';
import { hours, inHours } from '../shared/time';
import { REGIONS } from './regions';

/** Signal's per-integration default, which is also Customer.io's fair-use rate for the Track API. */
export const DEFAULT_RATE_PER_SECOND = 100;

/** Fields the product page lists, plus the delivery settings of the default variant. */
export const CustomerIoConfigSchema = z.object({
  site_id: z.string().trim().min(1, 'site_id is required').max(200),
  api_key: z.string().trim().min(1, 'api_key is required').max(500),
  tracking_api_key: z.string().trim().min(1, 'tracking_api_key is required').max(500),
  region: z.enum(REGIONS, { message: 'region must be "us" or "eu"' }),
  consent_categories: z.array(z.string().trim().min(1).max(64)).max(20).default(['marketing']),
  hash_pii: z.boolean().default(false),
  retry_window_hours: z
    .number()
    .positive()
    .max(7 * 24)
    .default(inHours(DEFAULT_RETRY_POLICY.retryWindowMs)),
  /** How long a delivery refused with 401/403 waits for fixed credentials before failing (0: fail at once). */
  credentials_wait_hours: z
    .number()
    .min(0)
    .max(14 * 24)
    .default(inHours(DEFAULT_RETRY_POLICY.awaitCredentialsMs)),
  /** Requests per second to Customer.io for this integration, shared by every worker (WORKER_REPLICAS splits it). */
  rate_limit_per_second: z.number().positive().max(10_000).default(DEFAULT_RATE_PER_SECOND),
});

export type CustomerIoConfig = z.output<typeof CustomerIoConfigSchema>;

/** Config fields that are secrets: encrypted at rest, masked in every response, never logged. */
export const SECRET_FIELDS = ['api_key', 'tracking_api_key'] as const;
type SecretField = (typeof SECRET_FIELDS)[number];
export type IntegrationSecrets = Record<SecretField, string>;
export type PublicConfig = Omit<CustomerIoConfig, SecretField>;

export function splitSecrets(config: CustomerIoConfig): { publicConfig: PublicConfig; secrets: IntegrationSecrets } {
  const { api_key, tracking_api_key, ...publicConfig } = config;
  return { publicConfig, secrets: { api_key, tracking_api_key } };
}

/** The delivery schedule an integration's settings ask for, over `base` (the defaults, or an operator's overrides). */
export function retrySettings(
  config: Partial<Pick<PublicConfig, 'retry_window_hours' | 'credentials_wait_hours'>> | undefined,
  base: Partial<RetryPolicy> = {},
): Partial<RetryPolicy> {
  const settings = { ...base };
  if (config?.retry_window_hours !== undefined) settings.retryWindowMs = hours(config.retry_window_hours);
  if (config?.credentials_wait_hours !== undefined) settings.awaitCredentialsMs = hours(config.credentials_wait_hours);
  return settings;
}
