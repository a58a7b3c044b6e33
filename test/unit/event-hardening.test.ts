import fc from 'fast-check';
import { toDeliveryInput } from '../../src/client/start-delivery';
import { planDelivery } from '../../src/customerio/actions';
import { prepareDelivery, settleDelivery } from '../../src/customerio/delivery-input';
import { resolveCustomerId } from '../../src/customerio/identifiers';
import { DEFAULT_MAPPING_OPTIONS } from '../../src/customerio/mapping-options';
import { hashPiiMentions, hashPiiValue } from '../../src/customerio/pii';
import type { DeliveryEvent } from '../../src/shared/event';
import { parseSignalEvent } from '../../src/shared/event-schema';
import { JSON_LIMITS, jsonShapeProblem } from '../../src/shared/json-shape';

const LONE_HIGH = '\uD800';
const LONE_LOW = '\uDC00';

function nested(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

describe('the shape every event must have', () => {
  test.each<[string, unknown, RegExp]>([
    ['a lone high surrogate in a property', { properties: { name: `x${LONE_HIGH}` } }, /properties\.name/],
    ['a lone low surrogate in a trait', { traits: { t: LONE_LOW } }, /traits\.t/],
    ['a lone surrogate in a key', { properties: { [`k${LONE_HIGH}`]: 1 } }, /name is not well-formed/],
    ['nesting deeper than the limit', { properties: nested(JSON_LIMITS.maxDepth + 5) }, /nests deeper/],
    ['more entries than the limit', { properties: { list: Array(JSON_LIMITS.maxEntries + 1).fill(0) } }, /more than/],
  ])('refuses %s', (_name, event, problem) => {
    const found = jsonShapeProblem({ type: 'track', ...(event as object) });
    expect(`${found?.path} ${found?.message}`).toMatch(problem);
  });

  test('a depth of 5,000 is refused without overflowing the stack', () => {
    expect(jsonShapeProblem(nested(5_000))?.message).toMatch(/nests deeper than 32 levels/);
  });

  test('well-formed text, surrogate pairs (emoji) included, passes', () => {
    expect(
      jsonShapeProblem({ type: 'track', event: 'Bought 🎉', properties: { note: 'naïve café 中文 \u{1F600}' } }),
    ).toBeUndefined();
  });
});

describe('identifiers that would change the Customer.io URL, or are not text', () => {
  test.each<[string, Record<string, unknown>, string]>([
    ['userId ".."', { userId: '..' }, 'userId'],
    ['userId "."', { userId: ' . ' }, 'userId'],
    ['userId with a NUL', { userId: 'a\u0000b' }, 'userId'],
    ['userId with a newline', { userId: 'a\nb' }, 'userId'],
    ['anonymousId with a lone surrogate', { anonymousId: `a${LONE_HIGH}` }, '(event)'],
    ['messageId with a control character', { messageId: 'm\u0007' }, 'messageId'],
    ['email with a DEL', { email: 'a\u007F@b.io' }, 'email'],
  ])('the event schema refuses %s', (_name, fields, path) => {
    const parsed = parseSignalEvent({ type: 'track', event: 'x', ...fields });
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.issues.map((i) => i.path)).toContain(path === '(event)' ? 'anonymousId' : path);
  });

  test('an email-shaped trait with a control character is not used as the customer id', () => {
    const who = resolveCustomerId({ type: 'identify', traits: { email: 'a\u0001@b.io' } });
    expect(who).toMatchObject({ ok: false, reason: 'invalid' });
  });

  test('the typed client and the intake refuse a ".." id before anything starts', () => {
    expect(() =>
      toDeliveryInput('int_1', { type: 'track', event: 'x', messageId: 'm', traits: { email: 'x\u0002@y.io' } }),
    ).toThrow(/Invalid customer identifier/);
  });

  test('planning refuses such inputs too, as InvalidEvent, whoever started the run', () => {
    for (const userId of ['..', '.', 'a\u0000', `u${LONE_LOW}`]) {
      const event: DeliveryEvent = {
        type: 'track',
        event: 'x',
        userId,
        messageId: 'm',
        timestamp: '2026-01-01T00:00:00Z',
      };
      const plan = planDelivery(
        settleDelivery({ integrationId: 'int_1', event, mapping: DEFAULT_MAPPING_OPTIONS }).input,
      );
      expect(plan).toMatchObject({ ok: false, failureType: 'InvalidEvent' });
    }
  });
});

describe('property-based: no event, however strange, throws past the schema or the planner', () => {
  const anyJson = fc.jsonValue({ maxDepth: 6 });
  const text = fc.string({ unit: 'binary', maxLength: 12 });
  const eventLike = fc.record(
    {
      type: fc.oneof(fc.constantFrom('track', 'page', 'identify', 'group', 'alias'), text),
      event: fc.oneof(text, anyJson),
      userId: fc.oneof(text, fc.constantFrom('.', '..', '%2e%2e', 'a/b'), fc.integer(), anyJson),
      anonymousId: fc.oneof(text, anyJson),
      messageId: fc.oneof(text, anyJson),
      email: fc.oneof(text, anyJson),
      timestamp: fc.oneof(text, fc.double(), fc.integer(), anyJson),
      properties: fc.oneof(fc.dictionary(text, anyJson), anyJson),
      traits: fc.oneof(fc.dictionary(text, anyJson), anyJson),
      context: fc.oneof(
        fc.record({ page: fc.record({ url: fc.oneof(text, anyJson) }), traits: fc.dictionary(text, anyJson) }),
        anyJson,
      ),
    },
    { requiredKeys: [] },
  );

  test('the schema answers every input with a result', () => {
    fc.assert(
      fc.property(fc.oneof(eventLike, anyJson), (input) => {
        const parsed = parseSignalEvent(input);
        expect(typeof parsed.ok).toBe('boolean');
      }),
      { numRuns: 2_000 },
    );
  });

  test('preparing a delivery answers every input a run could be started with, checked or not', () => {
    fc.assert(
      fc.property(eventLike, fc.boolean(), (raw, checked) => {
        const parsed = parseSignalEvent({ messageId: 'm-1', ...raw });
        const event = (checked && parsed.ok ? parsed.event : raw) as DeliveryEvent;
        const prepared = prepareDelivery({
          integrationId: 'int_1',
          event: { ...event, messageId: 'm-1', timestamp: event.timestamp ?? 0 },
        });
        expect(['filtered', 'refused', 'planned']).toContain(prepared.kind);
        if (prepared.kind === 'refused' && checked && parsed.ok)
          expect(prepared.failureType).not.toBe('InvalidEvent\u0000');
      }),
      { numRuns: 3_000 },
    );
  });
});

describe('hash_pii in text', () => {
  test('a customer id in a URL, raw or percent-encoded, becomes its hash', () => {
    const url = 'POST https://track.customer.io/api/v1/customers/ada%40example.com/events failed for ada@example.com';
    const hashed = hashPiiMentions(url, ['ada@example.com']) as string;
    expect(hashed).not.toContain('ada');
    expect(hashed).toContain(hashPiiValue('ada@example.com'));
  });
});
