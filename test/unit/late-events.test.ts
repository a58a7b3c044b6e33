import { LATE_AFTER_HOURS, lateness, tooOldToSend } from '../../src/customerio/late-events';

const NOW = Date.UTC(2026, 11, 7, 12, 0, 0);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** A track call as the mapping builds it: the event's time in unix seconds. */
const trackAt = (ms: number) => ({ body: { name: 'Bought', id: '01J', timestamp: Math.floor(ms / 1000), data: {} } });

describe("Customer.io's 72-hour campaign window", () => {
  test('is 72 hours', () => {
    expect(LATE_AFTER_HOURS).toBe(72);
  });

  test('an event 71 h 59 min old at the 2xx is in time; one 72 h 1 min old is late, with its age', () => {
    expect(lateness(trackAt(NOW - 71 * HOUR - 59 * MINUTE), NOW)).toBeUndefined();
    expect(lateness(trackAt(NOW - 72 * HOUR), NOW)).toBeUndefined();
    expect(lateness(trackAt(NOW - 72 * HOUR - MINUTE), NOW)).toEqual({ ageHours: 72, thresholdHours: 72 });
    expect(lateness(trackAt(NOW - 80 * HOUR - 30 * MINUTE), NOW)).toEqual({ ageHours: 80.5, thresholdHours: 72 });
  });

  test('a call without an event time (identify, deletion, device) is stamped by Customer.io and never late', () => {
    expect(lateness({ body: { email: 'a@example.com', _timestamp: (NOW - 100 * HOUR) / 1000 } }, NOW)).toBeUndefined();
    expect(lateness({}, NOW)).toBeUndefined();
    expect(lateness({ body: { name: 'x', timestamp: 'yesterday' } }, NOW)).toBeUndefined();
  });

  test('an event from the future is not late', () => {
    expect(lateness(trackAt(NOW + 5 * HOUR), NOW)).toBeUndefined();
  });
});

describe('refuse_events_older_than_hours', () => {
  test('off (0 or absent) sends every event, however old', () => {
    expect(tooOldToSend(trackAt(NOW - 1000 * HOUR), 0, NOW)).toBeUndefined();
    expect(tooOldToSend(trackAt(NOW - 1000 * HOUR), undefined, NOW)).toBeUndefined();
  });

  test('refuses an event older than the setting, naming its age and the setting; younger ones go', () => {
    expect(tooOldToSend(trackAt(NOW - 80 * HOUR), 48, NOW)).toBe(
      "the event is 80 h old, older than this integration's refuse_events_older_than_hours (48 h): not sent to Customer.io",
    );
    expect(tooOldToSend(trackAt(NOW - 47 * HOUR), 48, NOW)).toBeUndefined();
    expect(tooOldToSend(trackAt(NOW + HOUR), 1, NOW)).toBeUndefined();
  });

  test('never refuses a call without an event time (a deletion must still go)', () => {
    expect(tooOldToSend({ body: { _timestamp: (NOW - 100 * HOUR) / 1000 } }, 1, NOW)).toBeUndefined();
    expect(tooOldToSend({}, 1, NOW)).toBeUndefined();
  });
});
