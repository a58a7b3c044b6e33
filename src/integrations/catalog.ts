import { CustomerIoConfigSchema } from '../customerio/config';
import { VENDOR_KEY } from '../shared/names';

interface ConfigField {
  key: string;
  label: string;
  type: 'string' | 'secret' | 'select' | 'boolean' | 'number' | 'string_list';
  required: boolean;
  help_text: string;
  placeholder?: string;
  options?: { value: string; label: string }[];
  /** What the setting is when an install leaves it out. */
  default?: unknown;
}

/** Every setting's default, from the one schema that validates installs and PATCHes. */
const DEFAULTS: Record<string, unknown> = (() => {
  const {
    site_id: _s,
    api_key: _a,
    tracking_api_key: _t,
    region: _r,
    ...rest
  } = CustomerIoConfigSchema.parse({
    site_id: 'x',
    api_key: 'x',
    tracking_api_key: 'x',
    region: 'us',
  });
  return rest;
})();

type Setting = Omit<ConfigField, 'required' | 'default'>;

/** The delivery and mapping settings after the product page's four fields; all optional, each with its default. */
const SETTINGS: Setting[] = [
  {
    key: 'consent_categories',
    label: 'Consent categories',
    type: 'string_list',
    help_text:
      'Consent categories an event must grant (context.consent) to be delivered; events that deny one are recorded as filtered.',
  },
  {
    key: 'hash_pii',
    label: 'Hash personal data',
    type: 'boolean',
    help_text:
      'Show emails, phone numbers, IPs and customer ids hashed (sha256) in the delivery records, lists and search attributes.',
  },
  {
    key: 'retry_window_hours',
    label: 'Retry window (hours)',
    type: 'number',
    help_text: 'How long a delivery keeps retrying network errors, 408, 429 and 5xx before it fails.',
  },
  {
    key: 'credentials_wait_hours',
    label: 'Wait for credentials (hours)',
    type: 'number',
    help_text:
      'How long a delivery refused with 401/403 waits for fixed credentials (a PATCH resumes it); 0 fails at once.',
  },
  {
    key: 'rate_limit_per_second',
    label: 'Rate limit (requests/s)',
    type: 'number',
    help_text:
      'Requests per second to Customer.io for this integration, across all workers; slowed down on 429 and Retry-After.',
  },
  {
    key: 'order_wait_minutes',
    label: 'Per-person order: longest wait (minutes)',
    type: 'number',
    help_text:
      'Each person’s events reach Customer.io in the order they were handed over; an event held longer than this by an earlier one that keeps failing goes ahead (recorded in its history), except past a deletion, which nothing overtakes. 0 turns ordering off.',
  },
  {
    key: 'refuse_events_older_than_hours',
    label: 'Refuse events older than (hours)',
    type: 'number',
    help_text:
      'An event older than this when its attempt is made is not sent to Customer.io: the delivery ends filtered (event_too_old). 0 sends every event however old; those past Customer.io’s 72-hour campaign window are delivered and marked late.',
  },
  {
    key: 'convert_timestamps',
    label: 'Convert timestamps',
    type: 'boolean',
    help_text:
      'Send ISO-8601 date strings in attributes and event data as unix seconds, so Customer.io segments can compare them.',
  },
  {
    key: 'object_type_id',
    label: 'Object type id',
    type: 'string',
    help_text:
      'The Customer.io object type group events create or update, unless the event names one (traits.object_type_id).',
  },
  {
    key: 'anonymous_events',
    label: 'Anonymous events',
    type: 'boolean',
    help_text:
      'Send events from people not identified yet (anonymousId only) as anonymous events, merged when they are identified; off: such events fail with the missing-identifier help.',
  },
  {
    key: 'device_events',
    label: 'Device events',
    type: 'string_list',
    help_text: 'Track event names that add or update the person’s push device from context.device.token.',
  },
  {
    key: 'device_delete_events',
    label: 'Device removal events',
    type: 'string_list',
    help_text: 'Track event names that delete the person’s push device (context.device.token).',
  },
  {
    key: 'delete_person_events',
    label: 'Delete-person events',
    type: 'string_list',
    help_text: 'Track event names that delete the person from Customer.io.',
  },
  {
    key: 'suppress_person_events',
    label: 'Suppress-person events',
    type: 'string_list',
    help_text: 'Track event names that suppress the person (deleted, and never re-created by later data).',
  },
  {
    key: 'unsuppress_person_events',
    label: 'Unsuppress-person events',
    type: 'string_list',
    help_text: 'Track event names that unsuppress the person.',
  },
  {
    key: 'object_delete_events',
    label: 'Delete-object events',
    type: 'string_list',
    help_text: 'Track event names that delete the Customer.io object named by properties.objectId (and objectTypeId).',
  },
];

interface CatalogVariant {
  key: string;
  name: string;
  description: string;
  default_config: Record<string, unknown>;
}

export interface CatalogVendor {
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
      ...SETTINGS.map((setting) => ({ ...setting, required: false, default: DEFAULTS[setting.key] })),
    ],
    variants: [
      {
        key: 'default',
        name: 'Default',
        description:
          'Forwards identify, track and page events to the Customer.io Track API, gated on marketing consent.',
        default_config: DEFAULTS,
      },
    ],
  },
];

/** `customerio` is accepted as an alias of the canonical key. */
export function findVendor(key: string): CatalogVendor | undefined {
  const canonical = key === 'customerio' ? VENDOR_KEY : key;
  return CATALOG.find((v) => v.key === canonical);
}
