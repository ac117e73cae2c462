import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatTime } from '../../shared/i18n/catalogue.js';

describe('formatTime', () => {
  it('writes a time for people: day, month in words, year, 24-hour time, UTC', () => {
    expect(formatTime('2026-11-24T22:04:59.999Z', 'en')).toBe('24 November 2026, 22:04 UTC');
    expect(formatTime('2027-01-01T00:00:00Z', 'en')).toBe('1 January 2027, 00:00 UTC');
  });

  it('reuses its formatters and says the same as the locale formatting of each call', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }), (date) => {
        const day = date.toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
        const time = date.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'UTC' });
        expect(formatTime(date.toISOString(), 'en')).toBe(`${day}, ${time} UTC`);
      }),
      { seed: 20261201, numRuns: 300 },
    );
  });
});
