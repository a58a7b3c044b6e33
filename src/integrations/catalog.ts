import { DEFAULT_RATE_PER_SECOND } from '../customerio/config';
import { VENDOR_KEY } from '../shared/names';
import { DEFAULT_RETRY_POLICY } from '../shared/retry-policy';
import { inHours } from '../shared/time';

interface ConfigField {
  key: string;
  label: string;
  type: 'string' | 'secret' | 'select';
  required: boolean;
  help_text: string;
  placeholder?: string;
  options?: { value: string; label: string }[];
}

interface CatalogVariant {
  key: string;
  name: string;
  description: string;
  default_config: Record<string, unknown>;
}

interface CatalogVendor {
  key: string;
  name: string;
  description: string;
  category: 'cdp';
  status: 'ga' | 'beta' | 'alpha';
  website: string;
  docs_url: string;
  delivery_modes: string[];
  config_fields: ConfigField[];
  variants: CatalogVariant[];
}

/** The integration catalog, embedded in code and versioned with the service (Signal keeps no catalog table). */
export const CATALOG: readonly CatalogVendor[] = [
  {
    key: VENDOR_KEY,
    name: 'Customer.io',
    description:
      'Automated messaging platform for targeted emails, push notifications, SMS, and in-app messages based on real-time behavioural data.',
    category: 'cdp',
    status: 'ga',
    website: 'https://customer.io',
    docs_url: 'https://docs.customer.io/api/track/',
    delivery_modes: ['server_side'],
    config_fields: [
      {
        key: 'site_id',
        label: 'Site ID',
        type: 'string',
        required: true,
        placeholder: 'abc123def456',
        help_text: 'Your Customer.io Site ID. Found in Settings > API Credentials.',
      },
      {
        key: 'api_key',
        label: 'API Key',
        type: 'secret',
        required: true,
        help_text: 'Your Customer.io API key for the Track API. Found in Settings > API Credentials.',
      },
      {
        key: 'tracking_api_key',
        label: 'Tracking API Key',
        type: 'secret',
        required: true,
        help_text: 'Your Customer.io Tracking API key for identifying users and tracking events.',
      },
      {
        key: 'region',
        label: 'Region',
        type: 'select',
        required: true,
        options: [
          { value: 'us', label: 'US (track.customer.io)' },
          { value: 'eu', label: 'EU (track-eu.customer.io)' },
        ],
        help_text:
          'Your Customer.io data centre region (us or eu). Determines the API endpoint. If your dashboard URL contains fly-eu.customer.io, you are in the EU region.',
      },
    ],
    variants: [
      {
        key: 'default',
        name: 'Default',
        description:
          'Forwards identify, track and page events to the Customer.io Track API, gated on marketing consent.',
        default_config: {
          consent_categories: ['marketing'],
          hash_pii: false,
          retry_window_hours: inHours(DEFAULT_RETRY_POLICY.retryWindowMs),
          credentials_wait_hours: inHours(DEFAULT_RETRY_POLICY.awaitCredentialsMs),
          rate_limit_per_second: DEFAULT_RATE_PER_SECOND,
        },
      },
    ],
  },
];

/** `customerio` is accepted as an alias of the canonical key. */
export function findVendor(key: string): CatalogVendor | undefined {
  const canonical = key === 'customerio' ? VENDOR_KEY : key;
  return CATALOG.find((v) => v.key === canonical);
}
