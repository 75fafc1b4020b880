import { describe, expect, it } from 'vitest';
import { rfc3339Seconds, unixSeconds } from '../../../src/providers/narrow.ts';

const viaDateParse = (text: string) => Math.floor(Date.parse(text) / 1000);

/** A small deterministic generator: the same dates on every run. */
function* seeded(seed: number): Generator<number> {
  let state = seed;
  for (;;) {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    yield state;
  }
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

describe('dates read digit by digit (no Date.parse per entry)', () => {
  it('agrees with Date.parse on the usual RFC 3339 forms: Z, offsets, fractions of any length, leap days, before 1970', () => {
    const random = seeded(42);
    const next = (below: number) => (random.next().value as number) % below;
    const texts = ['2024-02-29T23:59:59Z', '1969-12-31T23:59:59.999Z', '2000-03-01T00:00:00+14:00', '1900-02-28T12:00:00-12:30', '2024-05-01T14:26:23.140384637-07:00'];
    for (let i = 0; i < 2000; i++) {
      const year = 1950 + next(130);
      const month = 1 + next(12);
      const day = 1 + next(28);
      const fraction = ['', '.5', '.123', '.140384637'][next(4)] ?? '';
      const offset = ['Z', '+00:00', '-07:00', '+05:30', '+14:00', '-11:45'][next(6)] ?? 'Z';
      texts.push(`${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(next(24), 2)}:${pad(next(60), 2)}:${pad(next(60), 2)}${fraction}${offset}`);
    }
    for (const text of texts) {
      expect(rfc3339Seconds(text), text).toBe(viaDateParse(text));
      expect(unixSeconds(text), text).toBe(viaDateParse(text));
    }
  });

  it('leaves every other form to Date.parse, which decides it as before', () => {
    const others = ['2024-01-01', '2024-01-01T10:00:00', '2024-01-01t10:00:00z', '2024-01-01 10:00:00Z', '2024-02-30T00:00:00Z', '2023-02-29T00:00:00Z',
      '2024-01-01T24:00:00Z', '2024-01-01T10:00:00.Z', '2024-01-01T10:00:00+0100', '2024-13-01T00:00:00Z', '2024-01-01T10:00:60Z'];
    for (const text of others) {
      expect(rfc3339Seconds(text), text).toBeUndefined();
      const parsed = Date.parse(text);
      expect(unixSeconds(text), text).toBe(Number.isNaN(parsed) ? undefined : Math.floor(parsed / 1000));
    }
  });

  it('still takes seconds as a number and refuses what is no date', () => {
    expect(unixSeconds(1_700_000_000.7)).toBe(1_700_000_000);
    expect(unixSeconds('not a date')).toBeUndefined();
    expect(unixSeconds('2024-99-99T99:99:99Z')).toBeUndefined();
    expect(unixSeconds(null)).toBeUndefined();
  });
});
