import { CustomerIoConfigSchema, type PublicConfig, splitSecrets } from '../../src/customerio/config';
import type { PeerCase } from './peer-cases';

/**
 * The one place a peer's settings become the project's integration config. A peer setting the project has no field
 * for yet is recorded (`missing`), not guessed at; once the field exists in CustomerIoConfigSchema, it is passed on.
 */

/** A peer setting and the project field that would carry it. */
export interface Setting {
  peer: string;
  field: string;
  value: unknown;
}

export type ProjectConfig =
  | { ok: true; config: PublicConfig; missing: Setting[] }
  /** The project would refuse to install this integration: no delivery can exist. */
  | { ok: false; problem: string; missing: Setting[] };

const SEGMENT_DEVICE_EVENTS = ['Application Installed', 'Application Opened', 'Device Created or Updated'];
const RUDDERSTACK_DEVICE_EVENTS = ['Application Installed', 'Application Opened'];

// Stand-ins for credentials: the fixtures mask theirs, and planning never reads them.
const CREDENTIAL = 'conformance-credential';

/**
 * What each peer does without being asked, as the project's settings: both send anonymous events and relate people
 * to objects of type "1" unconditionally; RudderStack leaves ISO dates in attributes and event data as strings (it
 * converts only created_at), Segment converts them unless a mapping says otherwise. The event names are each peer's
 * triggers: Segment's action presets, RudderStack's fixed lifecycle names (and no person deletion at all).
 */
const IMPLIED: Record<PeerCase['peer'], Setting[]> = {
  segment: [
    { peer: '(always)', field: 'anonymous_events', value: true },
    { peer: '(default) convert_timestamp', field: 'convert_timestamps', value: true },
    { peer: '(default) object_type_id', field: 'object_type_id', value: '1' },
    { peer: '(preset) createUpdateDevice', field: 'device_events', value: SEGMENT_DEVICE_EVENTS },
    {
      peer: '(preset) deleteDevice',
      field: 'device_delete_events',
      value: ['Application Uninstalled', 'Device Deleted'],
    },
    { peer: '(preset) deletePerson', field: 'delete_person_events', value: ['User Deleted'] },
    { peer: '(preset) suppressPerson', field: 'suppress_person_events', value: ['User Suppressed'] },
  ],
  rudderstack: [
    { peer: '(always)', field: 'anonymous_events', value: true },
    { peer: '(never converts dates but created_at)', field: 'convert_timestamps', value: false },
    { peer: '(always) object_type_id', field: 'object_type_id', value: '1' },
    { peer: '(always) device events', field: 'device_events', value: RUDDERSTACK_DEVICE_EVENTS },
    { peer: '(always) device events', field: 'device_delete_events', value: ['Application Uninstalled'] },
    { peer: '(none)', field: 'delete_person_events', value: [] },
    { peer: '(none)', field: 'suppress_person_events', value: [] },
    { peer: '(none)', field: 'unsuppress_person_events', value: [] },
  ],
};

/** Peer settings and the project field each becomes; `undefined`: the setting has no meaning here (see why). */
const TRANSLATIONS: Record<string, ((value: unknown) => Record<string, unknown>) | undefined> = {
  // RudderStack destination config
  datacenter: (v) => ({ region: String(v).toLowerCase() }),
  siteID: (v) => (v === '(absent)' ? {} : { site_id: CREDENTIAL }),
  apiKey: (v) => (v === '(absent)' ? {} : { tracking_api_key: CREDENTIAL }),
  // RudderStack's own event for a device token, beside its fixed lifecycle names.
  deviceTokenEventName: (v) => ({ device_events: [...RUDDERSTACK_DEVICE_EVENTS, v] }),
  // Segment action mapping
  convert_timestamp: (v) => ({ convert_timestamps: v }),
  // RudderStack's switch between its v1 and v2 request builders: the canonical form makes the API version moot.
  CUSTOMERIO_BATCHING_FRAMEWORK_ENABLED_WORKSPACE_IDS: undefined,
};

export function projectConfigFor(c: PeerCase): ProjectConfig {
  const wanted: Record<string, unknown> = {
    site_id: CREDENTIAL,
    // The project's App API key has no counterpart in either peer (both use only the Track API).
    api_key: CREDENTIAL,
    tracking_api_key: CREDENTIAL,
    region: c.region,
  };
  const provenance = new Map<string, string>();
  for (const s of IMPLIED[c.peer]) {
    wanted[s.field] = s.value;
    provenance.set(s.field, s.peer);
  }
  const peerSettings = { ...c.peerConfig, ...c.peerMapping, ...c.peerEnv };
  if (c.peerConfig) {
    // RudderStack's config names every credential it needs; what it leaves out the integration does not have.
    delete wanted.site_id;
    delete wanted.tracking_api_key;
  }
  for (const [key, value] of Object.entries(peerSettings)) {
    if (!(key in TRANSLATIONS)) throw new Error(`${c.id}: peer setting "${key}" has no mapping in peer-config.ts`);
    const translate = TRANSLATIONS[key];
    if (!translate) continue;
    for (const [field, v] of Object.entries(translate(value))) {
      wanted[field] = v;
      provenance.set(field, key);
    }
  }

  const known = CustomerIoConfigSchema.shape;
  const missing: Setting[] = [];
  const raw: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(wanted)) {
    if (field in known) raw[field] = value;
    else missing.push({ peer: provenance.get(field) ?? field, field, value });
  }
  const parsed = CustomerIoConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const problem = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    return { ok: false, problem, missing };
  }
  return { ok: true, config: splitSecrets(parsed.data).publicConfig, missing };
}
