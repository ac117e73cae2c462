/** The one clock and the one id/secret source, injectable so tests move time instead of sleeping. */
import { createHash, randomBytes, randomUUID } from 'node:crypto';

export interface Clock {
  now(): Date;
}

const systemClock: Clock = { now: () => new Date() };
let current: Clock = systemClock;

/** The current time, from whichever clock is installed. */
export function now(): Date {
  return current.now();
}

/** Installs a clock (tests, the local stack); `undefined` puts the system clock back. */
export function useClock(clock: Clock | undefined): void {
  current = clock ?? systemClock;
}

/** A clock that stands still until it is moved; for tests. */
export function movableClock(start: Date | string = new Date()): Clock & { advance(ms: number): void; set(at: Date | string): void } {
  let at = new Date(start).getTime();
  return {
    now: () => new Date(at),
    advance: (ms) => {
      at += ms;
    },
    set: (to) => {
      at = new Date(to).getTime();
    },
  };
}

export const DAY_MS = 24 * 60 * 60 * 1000;

/** Adds whole days to a time. */
export function addDays(from: Date, days: number): Date {
  return new Date(from.getTime() + days * DAY_MS);
}

/** Epoch seconds, as DynamoDB's TTL attribute wants them. */
export function epochSeconds(at: Date): number {
  return Math.ceil(at.getTime() / 1000);
}

/** A new opaque identifier for an invitation or a relationship. */
export function newId(): string {
  return randomUUID();
}

/** A link secret: 256 bits from the CSPRNG, base64url. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** What is stored instead of the secret. The secret carries 256 bits, so a plain SHA-256 suffices. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('base64url');
}
