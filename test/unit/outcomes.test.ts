import { classifyStatus, customerIoErrorDetail, parseRetryAfter, troubleshooting } from '../../src/customerio/outcomes';

describe('classifyStatus', () => {
  test.each([
    [200, 'delivered'],
    [201, 'delivered'],
    [204, 'delivered'],
    [400, 'reject'],
    [401, 'unauthorized'],
    [403, 'unauthorized'],
    [404, 'reject'],
    [408, 'retry'],
    [413, 'reject'],
    [422, 'reject'],
    [429, 'retry'],
    [500, 'retry'],
    [501, 'reject'],
    [502, 'retry'],
    [503, 'retry'],
    [504, 'retry'],
    [505, 'reject'],
    [522, 'retry'],
    [302, 'reject'],
  ])('%i → %s', (status, verdict) => expect(classifyStatus(status)).toBe(verdict));
});

describe('troubleshooting', () => {
  test('401 carries the product page resolution and the region hint', () => {
    const text = troubleshooting(401);
    expect(text).toContain('invalid Site ID or API key: verify the credentials in Customer.io Settings > API Credentials and update the integration config');
    expect(text).toContain('fly-eu.customer.io');
  });
  test('quotes what Customer.io said', () => {
    expect(troubleshooting(400, 'bad name')).toContain('Customer.io said: bad name.');
  });
});

describe('customerIoErrorDetail', () => {
  test.each<[string | undefined, string | undefined]>([
    ['{"meta":{"errors":["a","b"]}}', 'a; b'],
    ['{"meta":{"error":"merge failed"}}', 'merge failed'],
    ['{}', undefined],
    ['<html>', undefined],
    [undefined, undefined],
  ])('%p → %p', (body, detail) => expect(customerIoErrorDetail(body)).toBe(detail));
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-02-25T14:30:00Z');
  test.each<[string | undefined, number | undefined]>([
    ['3', 3000],
    ['0', 0],
    ['Wed, 25 Feb 2026 14:30:10 GMT', 10_000],
    ['Wed, 25 Feb 2026 14:29:00 GMT', 0],
    ['999999999', 24 * 3600 * 1000],
    ['soon', undefined],
    [undefined, undefined],
  ])('%p → %p', (header, ms) => expect(parseRetryAfter(header, now)).toBe(ms));
});
