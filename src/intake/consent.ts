import type { SignalEvent } from '../shared/event';
import { isRecord } from '../shared/json-shape';

type ConsentDecision = { allowed: true } | { allowed: false; detail: string };

const GRANTED = new Set(['true', 'granted', 'yes', '1', 'allow', 'allowed', 'opt_in', 'opted_in']);

/**
 * Whether the event grants every consent category the integration requires. Looks in the canonical map
 * (`context.consent.canonical.<c>`), then the flat legacy map (`context.consent.<c>`), then the CMP's own codes
 * (`context.consent.categories.<c>`). An event with no consent data at all is allowed (the org default); an event that
 * carries consent data but does not grant a required category is not.
 */
export function consentDecision(event: SignalEvent, required: readonly string[]): ConsentDecision {
  const consent = event.context?.consent;
  if (!consent || Object.keys(consent).length === 0 || required.length === 0) return { allowed: true };
  const maps = [consent.canonical, consent, consent.categories].filter(isRecord);
  for (const category of required) {
    if (category === 'essential') continue;
    const value = maps.map((m) => m[category]).find((v) => v !== undefined);
    if (!isGranted(value)) {
      return {
        allowed: false,
        detail:
          value === undefined
            ? `the event does not state consent for "${category}"`
            : `consent for "${category}" is not granted`,
      };
    }
  }
  return { allowed: true };
}

function isGranted(value: unknown): boolean {
  if (value === true || value === 1) return true;
  return typeof value === 'string' && GRANTED.has(value.trim().toLowerCase());
}
