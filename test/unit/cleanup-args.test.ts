import { describe, expect, it } from 'vitest';
import { parseCleanupArgs } from '../../infra/local/cleanup-args.js';

describe('the arguments of npm run cleanup', () => {
  it('runs now without arguments, and at the given time with --at in either form', () => {
    expect(parseCleanupArgs([])).toEqual({ at: undefined });
    expect(parseCleanupArgs(['--at', '2027-03-01T09:00:00Z'])).toEqual({ at: new Date('2027-03-01T09:00:00Z') });
    expect(parseCleanupArgs(['--at=2027-03-01T10:00:00+01:00'])).toEqual({ at: new Date('2027-03-01T09:00:00Z') });
    expect(parseCleanupArgs(['--at', '2027-03-01'])).toEqual({ at: new Date('2027-03-01T00:00:00Z') });
  });

  it('refuses a malformed time, a missing one and any other argument, each in one line', () => {
    for (const argv of [['--at', 'tomorrow'], ['--at', '2027-02-30T09:00:00Z'], ['--at'], ['--at', '2027-03-01T09:00:00Z', 'extra'], ['--when', 'now']]) {
      const result = parseCleanupArgs(argv);
      expect(result, argv.join(' ')).toHaveProperty('error');
      expect((result as { error: string }).error, argv.join(' ')).toMatch(/^error: [^\n]+$/);
    }
  });
});
