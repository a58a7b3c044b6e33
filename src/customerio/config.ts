import { z } from 'zod';
import type { MappingOptions } from '../shared/delivery';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../shared/retry-policy';
import { hours, inHours } from '../shared/time';
import { DEFAULT_MAPPING_OPTIONS } from './mapping-options';
import { type Region, REGIONS } from './regions';

/** Signal's per-integration default, which is also Customer.io's fair-use rate for the Track API. */
export const DEFAULT_RATE_PER_SECOND = 100;

/** How long an event waits for its person's earlier events by default (order_wait_minutes). */
export const DEFAULT_ORDER_WAIT_MINUTES = 30;

/** Track event names that trigger an action: each as a sender spells it (names are compared exactly). */
const EventNames = z.array(z.string().trim().min(1).max(100)).max(20);

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
  /**
   * Per-person order (issue 16): how long an event waits for the earlier events of its person before it goes ahead
   * (never past a deletion); 0 turns ordering off. Fractions are allowed (tests wait seconds, not minutes).
   */
  order_wait_minutes: z
    .number()
    .min(0)
    .max(14 * 24 * 60)
    .default(DEFAULT_ORDER_WAIT_MINUTES),
  /**
   * Late events (issue 17): an event older than this many hours when its attempt is made is not sent (the delivery
   * ends filtered, event_too_old); 0 is off, and every event is sent however old (marked late past 72 h).
   */
  refuse_events_older_than_hours: z
    .number()
    .int('refuse_events_older_than_hours must be a whole number of hours')
    .min(0)
    .max(24 * 365)
    .default(0),
  // How the mapping treats events (src/customerio/actions; defaults in mapping-options.ts).
  convert_timestamps: z.boolean().default(DEFAULT_MAPPING_OPTIONS.convertTimestamps),
  object_type_id: z
    .union([
      z
        .string()
        .trim()
        .regex(/^[1-9]\d{0,9}$/),
      z.number().int().positive(),
    ])
    .transform(String)
    .default(DEFAULT_MAPPING_OPTIONS.objectTypeId),
  anonymous_events: z.boolean().default(DEFAULT_MAPPING_OPTIONS.anonymousEvents),
  device_events: EventNames.default([...DEFAULT_MAPPING_OPTIONS.deviceEvents]),
  device_delete_events: EventNames.default([...DEFAULT_MAPPING_OPTIONS.deviceDeleteEvents]),
  delete_person_events: EventNames.default([...DEFAULT_MAPPING_OPTIONS.deletePersonEvents]),
  suppress_person_events: EventNames.default([...DEFAULT_MAPPING_OPTIONS.suppressPersonEvents]),
  unsuppress_person_events: EventNames.default([...DEFAULT_MAPPING_OPTIONS.unsuppressPersonEvents]),
  object_delete_events: EventNames.default([...DEFAULT_MAPPING_OPTIONS.objectDeleteEvents]),
});

export type CustomerIoConfig = z.output<typeof CustomerIoConfigSchema>;

/** Config fields that are secrets: encrypted at rest, masked in every response, never logged. */
export const SECRET_FIELDS = ['api_key', 'tracking_api_key'] as const;
type SecretField = (typeof SECRET_FIELDS)[number];
export type IntegrationSecrets = Record<SecretField, string>;
export type PublicConfig = Omit<CustomerIoConfig, SecretField>;

/** The fields Customer.io's credential check depends on: changing any of them is verified as install is. */
export const CREDENTIAL_FIELDS = [
  'site_id',
  'tracking_api_key',
  'region',
] as const satisfies (keyof CustomerIoConfig)[];

/** What a Track API call authenticates with, under the one name each part keeps after parsing. */
export interface TrackCredentials {
  siteId: string;
  trackingApiKey: string;
  region: Region;
}

/**
 * An integration's Track API credentials, from its settings and its secrets (or from a whole parsed config, which is
 * both): the store's delivery target, the install check and the send attempt all read them through here.
 */
export function credentialsOf(
  publicConfig: Pick<PublicConfig, 'site_id' | 'region'>,
  secrets: IntegrationSecrets,
): TrackCredentials {
  return {
    siteId: publicConfig.site_id,
    // The product page lists both keys; the Track API authenticates with the tracking key.
    trackingApiKey: secrets.tracking_api_key || secrets.api_key,
    region: publicConfig.region,
  };
}

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

/** How the mapping treats an integration's events, from its settings; settings saved before one existed get its default. */
export function mappingOptions(config: Partial<PublicConfig> | undefined): MappingOptions {
  const d = DEFAULT_MAPPING_OPTIONS;
  return {
    convertTimestamps: config?.convert_timestamps ?? d.convertTimestamps,
    objectTypeId: config?.object_type_id ?? d.objectTypeId,
    anonymousEvents: config?.anonymous_events ?? d.anonymousEvents,
    deviceEvents: config?.device_events ?? [...d.deviceEvents],
    deviceDeleteEvents: config?.device_delete_events ?? [...d.deviceDeleteEvents],
    deletePersonEvents: config?.delete_person_events ?? [...d.deletePersonEvents],
    suppressPersonEvents: config?.suppress_person_events ?? [...d.suppressPersonEvents],
    unsuppressPersonEvents: config?.unsuppress_person_events ?? [...d.unsuppressPersonEvents],
    objectDeleteEvents: config?.object_delete_events ?? [...d.objectDeleteEvents],
  };
}
