import { toDeliveryInput } from '../../src/client/start-delivery';
import { planDelivery } from '../../src/customerio/actions';
import { CustomerIoConfigSchema } from '../../src/customerio/config';
import { prepareDelivery } from '../../src/customerio/delivery-input';
import { PLAN_REVISIONS, type PlanRevision } from '../../src/customerio/plan-revisions';
import { convertIsoDates } from '../../src/customerio/timestamps';
import type { SignalEvent } from '../../src/shared/event';
import { parseSignalEvent } from '../../src/shared/event-schema';
import { EVENT_TIME_RANGE, parseEventTime } from '../../src/shared/event-time';

const NOW = new Date('2026-03-01T00:00:00Z');
const config = CustomerIoConfigSchema.parse({ site_id: 's', api_key: 'a', tracking_api_key: 't', region: 'us' });

/** The field paths intake refuses `event` for, or [] when it accepts it. */
function refusedAt(event: Record<string, unknown>): string[] {
  const parsed = parseSignalEvent({ messageId: 'm-1', ...event });
  return parsed.ok ? [] : parsed.issues.map((i) => i.path);
}
function accepted(event: Record<string, unknown>): SignalEvent {
  const parsed = parseSignalEvent({ messageId: 'm-1', ...event });
  if (!parsed.ok) throw new Error(`refused: ${JSON.stringify(parsed.issues)}`);
  return parsed.event;
}
/** The request a delivery of `event` plans, as a new run plans it (every revision adopted). */
function planned(event: Record<string, unknown>) {
  const input = toDeliveryInput('int_1', accepted(event), { now: () => NOW, config });
  const plan = planDelivery(input);
  if (!plan.ok) throw new Error(`refused: ${plan.message}`);
  return plan.request;
}

describe('numeric ids: exact or refused', () => {
  // As JSON.parse reads them from the request body: 12345678901234567890 is already 12345678901234567000.
  const beyond = ['12345678901234567890', '9007199254740992', '9007199254740994', '-9007199254740992', '1e21', '1.5'];

  test.each(beyond)('a userId of %s is refused naming userId', (n) => {
    const event = JSON.parse(`{"type":"track","event":"x","messageId":"m","userId":${n}}`) as unknown;
    const parsed = parseSignalEvent(event);
    expect(!parsed.ok && parsed.issues.map((i) => i.path)).toEqual(['userId']);
  });

  test('9007199254740993 (2^53 + 1) is refused: JSON.parse has already made it 2^53', () => {
    const parsed = parseSignalEvent(JSON.parse('{"type":"track","event":"x","userId":9007199254740993}'));
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.issues[0]!.message).toMatch(/2\^53 - 1.*send the id as a string/);
  });

  test.each([
    ['anonymousId', { type: 'track', event: 'x', userId: 'u' }],
    ['anonymous_id', { type: 'track', event: 'x', userId: 'u' }],
    ['previousId', { type: 'alias', userId: 'u' }],
    ['user_id', { type: 'track', event: 'x' }],
    ['groupId', { type: 'group', userId: 'u' }],
  ])('%s beyond 2^53 - 1 is refused naming it', (field, event) => {
    expect(refusedAt({ ...event, [field]: 2 ** 60 })).toEqual([field]);
  });

  test.each([
    ['traits.userId', { type: 'identify', traits: { userId: 2 ** 60 } }],
    ['traits.id', { type: 'identify', userId: 'u', traits: { id: 2 ** 60 } }],
    ['context.traits.userId', { type: 'track', event: 'x', context: { traits: { userId: 2 ** 60 } } }],
    ['context.traits.id', { type: 'track', event: 'x', context: { traits: { id: 1.25 } } }],
    ['context.externalId.1.id', { type: 'identify', context: { externalId: [{ id: 'a', type: 'id' }, { id: 1e21 }] } }],
    ['traits.objectId', { type: 'identify', userId: 'u', traits: { objectId: 2 ** 60 } }],
    ['traits.object_type_id', { type: 'group', userId: 'u', groupId: 'g', traits: { object_type_id: 0.5 } }],
    ['properties.objectId', { type: 'track', event: 'Object Deleted', properties: { objectId: 2 ** 60 } }],
    ['properties.object_id', { type: 'track', event: 'Object Deleted', properties: { object_id: 2 ** 60 } }],
  ])('%s beyond 2^53 - 1 or a fraction is refused naming it', (path, event) => {
    expect(refusedAt(event)).toEqual([path]);
  });

  test('ids within 2^53 - 1 keep working, negative ones and 0 included, as their digits', () => {
    expect(planned({ type: 'track', event: 'x', userId: Number.MAX_SAFE_INTEGER }).path).toBe(
      '/api/v1/customers/9007199254740991/events',
    );
    expect(accepted({ type: 'track', event: 'x', userId: -42, anonymousId: 0 })).toMatchObject({
      userId: '-42',
      anonymousId: '0',
    });
    expect(planned({ type: 'identify', traits: { id: 12345 } }).path).toBe('/api/v1/customers/12345');
  });
});

describe('ids in Unicode', () => {
  const nfc = 'jos\u00e9';
  const nfd = 'jose\u0301';

  test('NFC and NFD spellings of one id address one person', () => {
    expect(planned({ type: 'track', event: 'x', userId: nfd }).path).toBe(
      planned({ type: 'track', event: 'x', userId: nfc }).path,
    );
    expect(accepted({ type: 'identify', traits: { userId: nfd, email: `${nfd}@x.io` } }).traits).toEqual({
      userId: nfc,
      email: `${nfc}@x.io`,
    });
    expect(
      accepted({ type: 'group', userId: 'u', groupId: nfd, anonymousId: nfd, email: `${nfd}@x.io` }),
    ).toMatchObject({ groupId: nfc, anonymousId: nfc, email: `${nfc}@x.io` });
  });

  test.each([
    ['userId', 'ann\u200b'],
    ['anonymousId', 'an\u200con'],
    ['groupId', 'acme\u2060'],
    ['email', 'a\u200d@x.io'],
    ['traits.id', 'ann\u00ad'],
    ['context.traits.email', 'rtl\u202e@x.io'],
  ])('%s with an invisible format character is refused, naming the code point', (path, value) => {
    const [head, ...rest] = path.split('.');
    const event: Record<string, unknown> = { type: 'identify', userId: 'u' };
    if (rest.length === 0) event[head!] = value;
    else if (head === 'traits') event.traits = { [rest[0]!]: value };
    else event.context = { traits: { [rest[1]!]: value } };
    const parsed = parseSignalEvent({ messageId: 'm', ...event });
    expect(!parsed.ok && parsed.issues).toEqual([
      { path, message: expect.stringMatching(/invisible format characters \(it holds U\+[0-9A-F]{4}\)/) },
    ]);
  });

  test('the caller’s event is not changed by normalising it', () => {
    const traits = { userId: nfd };
    accepted({ type: 'identify', traits });
    expect(traits.userId).toBe(nfd);
  });
});

describe('event names: no control characters', () => {
  const hostile = '\u001b[2J\u001b]0;pwned\u0007Order \u001b[31mPaid';

  test.each([
    ['event', { type: 'track', userId: 'u', event: hostile }],
    ['name', { type: 'screen', userId: 'u', name: 'Home\u009b31m' }],
    ['properties.url', { type: 'page', userId: 'u', properties: { url: 'https://a/\u001b[2J' } }],
    ['context.page.url', { type: 'page', userId: 'u', context: { page: { url: 'https://a/\u0085' } } }],
    ['properties.name', { type: 'screen', userId: 'u', properties: { name: 'Home\u0007' } }],
  ])('%s with control characters is refused naming it', (path, event) => {
    expect(refusedAt(event)).toEqual([path]);
  });

  test('other properties may hold them (they are data, not names)', () => {
    expect(
      refusedAt({ type: 'track', userId: 'u', event: 'x', properties: { note: 'a\tb\nc', name: '\u0007' } }),
    ).toEqual([]);
  });
});

describe('event times', () => {
  test.each([
    ['0001-01-01T00:00:00Z', -62_135_596_800_000],
    ['0099-12-31T23:59:59Z', -59_011_459_201_000],
    ['0050-06-15', -60_575_040_000_000],
    ['0004-02-29T00:00:00Z', -62_035_891_200_000], // year 4 was a leap year; 1904 is one too, 0005 is not
  ])('years 0001–0099 are those years, not 19xx: %s', (text, ms) => {
    expect(parseEventTime(text)).toBe(ms);
    expect(new Date(ms).getUTCFullYear()).toBe(Number(text.slice(0, 4)));
  });

  test('no 29 February in year 0005', () => {
    expect(parseEventTime('0005-02-29')).toBeUndefined();
  });

  test('dates under convert_timestamps are read in the right year', () => {
    expect(convertIsoDates({ born: '0001-01-01T00:00:00Z', seen: '1901-01-01T00:00:00Z' })).toEqual({
      born: -62_135_596_800,
      seen: -2_177_452_800,
    });
  });

  test.each([
    '2026-02-25T14:30:00+99:99',
    '2026-02-25T14:30:00-25:00',
    '2026-02-25T14:30:00+24:00',
    '2026-02-25T14:30+05:60',
  ])('an impossible offset is no time: %s', (text) => {
    expect(parseEventTime(text)).toBeUndefined();
    expect(refusedAt({ type: 'identify', userId: 'u', timestamp: text })).toEqual(['timestamp']);
    expect(parseSignalEvent({ type: 'identify', userId: 'u', timestamp: text })).toMatchObject({
      ok: false,
      issues: [{ message: expect.stringMatching(/offset .* -23:59 to \+23:59/) }],
    });
  });

  test('offsets up to ±23:59 are kept', () => {
    expect(parseEventTime('2026-02-25T14:30:00+23:59')).toBe(Date.parse('2026-02-24T14:31:00Z'));
    expect(parseEventTime('2026-02-25T14:30:00-14:00')).toBe(Date.parse('2026-02-26T04:30:00Z'));
  });

  test.each<unknown>([
    '9999-12-31T23:59:59Z',
    '2100-01-01T00:00:00Z',
    '1969-12-31T23:59:59Z',
    '0001-01-01T00:00:00Z',
    1e20,
    8.64e21,
    '100000000000000000000',
    4_102_444_800, // 2100-01-01 in seconds
    99_999_999_999, // the largest number read as seconds: year 5138
  ])('a time outside 1970-01-01 .. 2100-01-01 is refused: %p', (timestamp) => {
    const parsed = parseSignalEvent({ type: 'identify', userId: 'u', timestamp });
    expect(parsed).toMatchObject({
      ok: false,
      issues: [
        { path: 'timestamp', message: expect.stringMatching(/1970-01-01T00:00:00Z up to 2100-01-01T00:00:00Z/) },
      ],
    });
  });

  test.each<unknown>([
    '1970-01-01T00:00:00Z',
    '2099-12-31T23:59:59.999Z',
    0,
    4_102_444_799,
    1_772_029_800_123,
    '2026-02-25T14:30:00+05:30',
  ])('a time inside the range is accepted: %p', (timestamp) => {
    expect(refusedAt({ type: 'identify', userId: 'u', timestamp })).toEqual([]);
  });

  test('the range is what the README documents', () => {
    expect(new Date(EVENT_TIME_RANGE.fromMs).toISOString()).toBe('1970-01-01T00:00:00.000Z');
    expect(new Date(EVENT_TIME_RANGE.untilMs).toISOString()).toBe('2100-01-01T00:00:00.000Z');
  });
});

describe('page names within Customer.io’s 100-byte event-name limit', () => {
  const longUrl = `https://shop.example.com/catalogue/shoes/running?${'utm_source=newsletter&'.repeat(6)}x=1`;

  test('a URL over 100 bytes names the page by its path; data.url keeps the whole URL', () => {
    expect(Buffer.byteLength(longUrl)).toBeGreaterThan(100);
    const body = planned({ type: 'page', userId: 'u', properties: { url: longUrl } }).body!;
    expect(body.name).toBe('/catalogue/shoes/running');
    expect((body.data as { url: string }).url).toBe(longUrl);
  });

  test('a URL within 100 bytes is the name, as before', () => {
    const url = 'https://shop.example.com/cart?step=2';
    expect(planned({ type: 'page', userId: 'u', properties: { url } }).body!.name).toBe(url);
  });

  test('a path over 100 bytes is cut to 100 bytes, never inside a character', () => {
    const url = `https://a.example/${'é'.repeat(80)}`;
    const name = planned({ type: 'page', userId: 'u', properties: { url } }).body!.name as string;
    expect(Buffer.byteLength(name)).toBe(99); // "/" and 49 two-byte characters; a 50th would make 101
    expect(name).toBe(`/${'é'.repeat(49)}`);
  });

  test('an anonymous page view with a long URL is sent, not refused as too large', () => {
    const input = toDeliveryInput('int_1', accepted({ type: 'page', anonymousId: 'a', properties: { url: longUrl } }), {
      now: () => NOW,
      config: { ...config, anonymous_events: true },
    });
    const plan = planDelivery(input);
    expect(plan.ok && plan.request.body).toMatchObject({ name: '/catalogue/shoes/running', anonymous_id: 'a' });
  });
});

describe('runs started before a planning revision replay as they ran', () => {
  const longUrl = `https://shop.example.com/p?${'q'.repeat(120)}`;
  /** Plans an input as a workflow does, answering `adopt` as patched() would for a run started before `revision`. */
  function plannedBefore(event: Record<string, unknown>, revision: PlanRevision, mapping?: Partial<typeof config>) {
    const asked: string[] = [];
    const input = toDeliveryInput('int_1', { messageId: 'm-1', ...event } as SignalEvent, {
      now: () => NOW,
      config: { ...config, ...mapping },
    });
    const prepared = prepareDelivery(input, (r) => {
      asked.push(r);
      return r !== revision;
    });
    if (prepared.kind !== 'planned') throw new Error(`not planned: ${JSON.stringify(prepared)}`);
    return { request: prepared.plan.request, asked };
  }

  test('the page name: the whole URL, as before', () => {
    const { request, asked } = plannedBefore(
      { type: 'page', userId: 'u', properties: { url: longUrl } },
      PLAN_REVISIONS.pageNameWithinLimit,
    );
    expect(request.body!.name).toBe(longUrl);
    expect(asked).toEqual([PLAN_REVISIONS.pageNameWithinLimit]);
  });

  test('a year-0001 date in traits and a +99:99 event time: the old readings', () => {
    const { request, asked } = plannedBefore(
      { type: 'identify', userId: 'u', timestamp: '2026-02-25T14:30:00+99:99', traits: { born: '0001-01-01' } },
      PLAN_REVISIONS.calendarDates,
    );
    expect(request.body).toMatchObject({
      born: Date.UTC(1901, 0, 1) / 1000,
      _timestamp: (Date.parse('2026-02-25T14:30:00Z') - (99 * 60 + 99) * 60_000) / 1000,
    });
    expect(new Set(asked)).toEqual(new Set([PLAN_REVISIONS.calendarDates]));
  });

  test('an input no revision concerns asks about none (its run gets no marker)', () => {
    const { asked } = plannedBefore(
      {
        type: 'page',
        userId: 'u',
        timestamp: '2026-02-25T14:30:00Z',
        properties: { url: 'https://a/b', d: '2026-01-01' },
      },
      PLAN_REVISIONS.calendarDates,
    );
    expect(asked).toEqual([]);
  });
});
