import { DeliveryRateLimiter } from '../../src/activities/rate-limiter';
import { loadConfig } from '../../src/config';

describe('DeliveryRateLimiter', () => {
  let now: number;
  const share = 1 / loadConfig({}).WORKER_REPLICAS;
  const limiter = (options: { share?: number } = {}) => new DeliveryRateLimiter({ share, ...options, now: () => now });
  beforeEach(() => (now = 1_000_000));

  test('lets a second of requests through at once, then spaces them at the configured rate', () => {
    const l = limiter();
    const waits = Array.from({ length: 12 }, () => l.reserve('int_1', 10));
    expect(waits.slice(0, 10)).toEqual(Array(10).fill(0));
    expect(waits.slice(10)).toEqual([100, 200]);
    now += 1_000;
    // The queued two used the second that passed; the bucket refilled the rest.
    expect(l.reserve('int_1', 10)).toBe(0);
  });

  test('keeps each integration to its own rate', () => {
    const l = limiter();
    for (let i = 0; i < 5; i++) l.reserve('slow', 5);
    expect(l.reserve('slow', 5)).toBe(200);
    expect(l.reserve('fast', 100)).toBe(0);
  });

  test('a worker sharing the rate with others sends only its part', () => {
    const l = limiter({ share: 1 / 4 });
    for (let i = 0; i < 25; i++) expect(l.reserve('int_1', 100)).toBe(0);
    expect(l.reserve('int_1', 100)).toBe(40);
    expect(l.currentRate('int_1')).toBe(25);
  });

  test('a released slot is given back', () => {
    const l = limiter();
    l.reserve('int_1', 1);
    expect(l.reserve('int_1', 1)).toBe(1_000);
    l.release('int_1');
    expect(l.reserve('int_1', 1)).toBe(1_000);
  });

  test('slows down when Customer.io pushes back, waits out Retry-After, then recovers', () => {
    const l = limiter();
    l.reserve('int_1', 100);
    l.pushedBack('int_1', 2_000);
    expect(l.currentRate('int_1')).toBe(50);
    expect(l.reserve('int_1', 100)).toBe(2_000);
    now += 2_000;
    l.reserve('int_1', 100);
    now += 5_000;
    l.reserve('int_1', 100);
    // 10 % of the configured rate back per quiet second, never above it.
    expect(l.currentRate('int_1')).toBe(100);
    l.pushedBack('int_1', undefined);
    l.pushedBack('int_1', undefined);
    expect(l.currentRate('int_1')).toBe(25);
  });

  test('reports the rate as it recovers between requests, as a metrics scrape reads it', () => {
    const l = limiter();
    l.reserve('int_1', 100);
    l.pushedBack('int_1', 1_000);
    expect([...l.rates()]).toEqual([['int_1', 50]]);
    now += 500;
    expect(l.currentRate('int_1')).toBe(50); // still blocked by Retry-After: no recovery yet
    now += 500;
    expect(l.currentRate('int_1')).toBeCloseTo(60); // 10 % of 100/s per second since its last request
    now += 60_000;
    expect([...l.rates()]).toEqual([['int_1', 100]]);
  });

  test('never drops below one request a second', () => {
    const l = limiter();
    l.reserve('int_1', 4);
    for (let i = 0; i < 10; i++) l.pushedBack('int_1', 0);
    expect(l.currentRate('int_1')).toBe(1);
  });
});
