import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../../shared/clock.js';
import { NOTICE_DAYS, dueAt, nextDue, pointsOf } from '../../shared/domain/schedule.js';

const END = '2027-04-01T12:00:00.000Z';
const before = (days: number, ms = 0) => new Date(Date.parse(END) - days * DAY_MS + ms);
const invitation = { kind: 'INVITATION', end: END } as const;
const relationship = { kind: 'RELATIONSHIP', end: END, autoExtend: false } as const;

describe('the schedule of an item that ends', () => {
  it('reminds of a request 7 days and 1 day before it expires, and tells of a relationship 30, 7 and 1 days before it ends', () => {
    expect(NOTICE_DAYS).toEqual({ INVITATION: [7, 1], RELATIONSHIP: [30, 7, 1] });
    expect(pointsOf(invitation)).toEqual([
      { daysBefore: 7, at: '2027-03-25T12:00:00.000Z' },
      { daysBefore: 1, at: '2027-03-31T12:00:00.000Z' },
      { daysBefore: 0, at: END },
    ]);
    expect(pointsOf(relationship).map((p) => p.at)).toEqual(['2027-03-02T12:00:00.000Z', '2027-03-25T12:00:00.000Z', '2027-03-31T12:00:00.000Z', END]);
  });

  it('has nothing but the end for a relationship that extends itself', () => {
    expect(pointsOf({ ...relationship, autoExtend: true })).toEqual([{ daysBefore: 0, at: END }]);
  });

  it('writes an item at its first point still to come, skipping those already past: a 3-day request gets only the 1-day reminder', () => {
    expect(nextDue(invitation, before(90))).toEqual({ daysBefore: 7, at: before(7).toISOString() });
    expect(nextDue(invitation, before(3))).toEqual({ daysBefore: 1, at: before(1).toISOString() });
    // A point exactly now is past: a 7-day request gets no 7-day reminder.
    expect(nextDue(invitation, before(7))).toEqual({ daysBefore: 1, at: before(1).toISOString() });
    expect(nextDue(relationship, before(20))).toEqual({ daysBefore: 7, at: before(7).toISOString() });
    expect(nextDue(relationship, before(0, 1))).toEqual({ daysBefore: 0, at: END });
  });

  it('finds the latest point due, so a late run skips older notices and an overdue item only ends', () => {
    expect(dueAt(relationship, before(31))).toBeUndefined();
    expect(dueAt(relationship, before(30))).toEqual({ daysBefore: 30, at: before(30).toISOString() });
    expect(dueAt(relationship, before(2))?.daysBefore).toBe(7);
    expect(dueAt(relationship, before(0, -1))?.daysBefore).toBe(1);
    expect(dueAt(relationship, before(-5))?.daysBefore).toBe(0);
    expect(dueAt({ ...relationship, autoExtend: true }, before(1))).toBeUndefined();
  });
});
