import { parseSignalEvent } from '../../src/shared/event-schema';

describe('SignalEventSchema', () => {
  test('accepts the snake_case aliases and normalises to camelCase', () => {
    const parsed = parseSignalEvent({ type: 'track', event: 'x', user_id: 42, anonymous_id: 'a', message_id: 'm' });
    expect(parsed).toEqual({
      ok: true,
      event: { type: 'track', event: 'x', userId: '42', anonymousId: 'a', messageId: 'm' },
    });
  });

  test('camelCase wins over an alias; empty ids count as absent', () => {
    const parsed = parseSignalEvent({ type: 'page', userId: 'u', user_id: 'other', anonymousId: '', messageId: 'm' });
    expect(parsed.ok && parsed.event).toEqual({ type: 'page', userId: 'u', messageId: 'm' });
  });

  test('keeps the context (page, traits, consent) and drops unknown top-level keys', () => {
    const parsed = parseSignalEvent({
      type: 'page',
      userId: 'u',
      junk: 'x',
      context: { page: { url: 'https://a/' }, consent: { marketing: true }, locale: 'en-GB' },
    });
    expect(parsed.ok && parsed.event).toEqual({
      type: 'page',
      userId: 'u',
      context: { page: { url: 'https://a/' }, consent: { marketing: true }, locale: 'en-GB' },
    });
  });

  test.each<[string, unknown, string]>([
    ['unknown type', { type: 'nope' }, 'type'],
    ['track without a name', { type: 'track', userId: 'u' }, 'event'],
    ['unreadable timestamp', { type: 'identify', timestamp: '25/02/2026' }, 'timestamp'],
    ['properties not an object', { type: 'track', event: 'x', properties: [1] }, 'properties'],
    ['not an object at all', 'hello', '(event)'],
  ])('rejects %s, naming the field', (_name, input, path) => {
    const parsed = parseSignalEvent(input);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.issues.map((i) => i.path)).toContain(path);
  });
});
