/**
 * What the schedule does for an item that ends, and when: notices some days before its end,
 * then the end itself (expiry, or the extension of an auto-extending relationship). The one
 * place that says which notices exist; the expiry index (GSI2) holds each item at its next
 * point, so a run reads only what is due.
 */
import { addDays } from '../clock.js';

/** Days before the end at which each kind of item gets a notice, earliest first. */
export const NOTICE_DAYS = {
  /** The customer's admin is reminded of a pending invitation (queued for the email sender). */
  INVITATION: [7, 1],
  /** The partner and the customer's notify addresses are told a relationship without auto-extend ends. */
  RELATIONSHIP: [30, 7, 1],
} as const satisfies Record<string, readonly number[]>;

export type ScheduledKind = keyof typeof NOTICE_DAYS;

/** An item the schedule follows: its kind, when it ends, and (for a relationship) whether it extends itself. */
export interface Scheduled {
  readonly kind: ScheduledKind;
  readonly end: string;
  readonly autoExtend?: boolean;
}

/** One point of an item's schedule: a notice `daysBefore` its end, or the end itself (`daysBefore` 0), due `at`. */
export interface DuePoint {
  readonly daysBefore: number;
  readonly at: string;
}

/** The days before its end at which an item gets a notice: none for a relationship that extends itself (it does not end). */
export function noticeDaysOf(item: Scheduled): readonly number[] {
  return item.kind === 'RELATIONSHIP' && item.autoExtend === true ? [] : NOTICE_DAYS[item.kind];
}

/** Every point of an item's schedule, in time order, the end last. */
export function pointsOf(item: Scheduled): DuePoint[] {
  const end = new Date(item.end);
  return [...noticeDaysOf(item).map((daysBefore) => ({ daysBefore, at: addDays(end, -daysBefore).toISOString() })), { daysBefore: 0, at: item.end }];
}

/**
 * The first point strictly after `after`, where the item's index entry goes when it is written or
 * after a point was handled; points already past are skipped, and the end is never skipped.
 */
export function nextDue(item: Scheduled, after: Date): DuePoint {
  const iso = after.toISOString();
  const points = pointsOf(item);
  return points.find((point) => point.at > iso) ?? (points.at(-1) as DuePoint);
}

/**
 * What is due at `at`: the latest point at or before it, or undefined when none is. A late run
 * handles only that one (a 7-day notice is not sent when one day is left).
 */
export function dueAt(item: Scheduled, at: Date): DuePoint | undefined {
  const iso = at.toISOString();
  return pointsOf(item)
    .filter((point) => point.at <= iso)
    .at(-1);
}
