import { toUnixSeconds } from '../../src/customerio/timestamps';
import { parseEventTime } from '../../src/shared/event-time';

const at = (iso: string) => Date.parse(iso);

describe('parseEventTime', () => {
  test.each<[unknown, number | undefined]>([
    ['2026-02-25T14:30:00Z', at('2026-02-25T14:30:00Z')],
    ['2026-02-25T14:30:00.123Z', at('2026-02-25T14:30:00.123Z')],
    ['2026-02-25T14:30:00.6527521Z', at('2026-02-25T14:30:00.652Z')], // 7 fraction digits (Segment's open bug)
    ['2026-02-25T14:30:00.123456789Z', at('2026-02-25T14:30:00.123Z')],
    ['2026-02-25T15:30:00+01:00', at('2026-02-25T14:30:00Z')],
    ['2026-02-25T15:30:00+0100', at('2026-02-25T14:30:00Z')], // offset without a colon
    ['2026-02-25T09:30:00-05', at('2026-02-25T14:30:00Z')],
    ['2026-02-25 14:30:00Z', at('2026-02-25T14:30:00Z')],
    ['2026-02-25', at('2026-02-25T00:00:00Z')],
    ['2026-02-25T14:30:00', at('2026-02-25T14:30:00Z')], // no zone: read as UTC
    [1772029800, at('2026-02-25T14:30:00Z')], // unix seconds
    [1772029800123, at('2026-02-25T14:30:00.123Z')], // unix ms
    [1772029800123456, at('2026-02-25T14:30:00.123Z')], // unix µs
    ['1772029800', at('2026-02-25T14:30:00Z')],
    ['1772029800.5', at('2026-02-25T14:30:00.500Z')],
    ['2026-02-31T00:00:00Z', undefined], // no such day
    ['2026-13-01T00:00:00Z', undefined],
    ['yesterday', undefined],
    ['', undefined],
    [-5, undefined],
    [Number.NaN, undefined],
    [null, undefined],
    [{}, undefined],
  ])('%p → %p', (input, expected) => {
    expect(parseEventTime(input)).toBe(expected);
  });

  test('unix seconds are whole seconds, rounded down', () => {
    expect(toUnixSeconds(1772029800999)).toBe(1772029800);
  });
});
