/** The arguments of `npm run cleanup`: `--at <ISO time>` runs the schedule as if it were that time. */
import * as z from 'zod';

const isoTime = z.union([z.iso.datetime({ offset: true }), z.iso.date()]);

/** The time to run the schedule at (undefined: now), or the one line that says what is wrong with the arguments. */
export function parseCleanupArgs(argv: readonly string[]): { readonly at: Date | undefined } | { readonly error: string } {
  if (argv.length === 0) return { at: undefined };
  const [flag, value, ...rest] = argv[0]?.startsWith('--at=') === true ? ['--at', argv[0].slice('--at='.length), ...argv.slice(1)] : argv;
  if (flag !== '--at' || rest.length > 0) return { error: `error: unknown arguments "${argv.join(' ')}": the only one is --at <ISO time>, e.g. --at 2026-12-01T09:00:00Z` };
  if (value === undefined || !isoTime.safeParse(value).success) {
    return { error: `error: --at wants an ISO 8601 time such as 2026-12-01T09:00:00Z (or a date, 2026-12-01), got ${JSON.stringify(value ?? '')}` };
  }
  return { at: new Date(value) };
}
