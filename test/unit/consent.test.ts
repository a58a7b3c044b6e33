import { consentDecision } from '../../src/intake/consent';
import type { SignalEvent } from '../../src/shared/event';

const withConsent = (consent: Record<string, unknown> | undefined): SignalEvent => ({
  type: 'track',
  event: 'x',
  userId: 'u',
  ...(consent ? { context: { consent } } : {}),
});

describe('consentDecision', () => {
  test.each<[string, Record<string, unknown> | undefined, boolean]>([
    ['no consent data at all', undefined, true],
    ['an empty consent object', {}, true],
    ['canonical granted', { canonical: { marketing: true } }, true],
    ['canonical denied', { canonical: { marketing: false } }, false],
    ['canonical wins over the flat map', { canonical: { marketing: false }, marketing: true }, false],
    ['flat legacy map granted', { marketing: true, analytics: false }, true],
    ['flat legacy map denied', { marketing: false }, false],
    ['CMP category codes', { categories: { marketing: 'granted' } }, true],
    ['string "denied"', { marketing: 'denied' }, false],
    ['consent data that does not mention marketing', { analytics: true }, false],
  ])('%s → allowed %p', (_name, consent, allowed) => {
    expect(consentDecision(withConsent(consent), ['marketing']).allowed).toBe(allowed);
  });

  test('every required category must be granted; essential always is', () => {
    const event = withConsent({ canonical: { marketing: true, analytics: false } });
    expect(consentDecision(event, ['marketing', 'essential'])).toEqual({ allowed: true });
    expect(consentDecision(event, ['marketing', 'analytics'])).toEqual({
      allowed: false,
      detail: 'consent for "analytics" is not granted',
    });
    expect(consentDecision(event, [])).toEqual({ allowed: true });
  });
});
