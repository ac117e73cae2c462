import { describe, expect, it } from 'vitest';
import { decisionBody } from '../../shared/acceptance/schema.js';

describe('what the acceptance form sends', () => {
  it('reads a browser form: ticked roles as a list, the duration as text, an empty reason as none', () => {
    const parsed = decisionBody.parse({ token: 't', roles: ['USER_ADMIN', 'DIRECTORY_READER'], durationDays: '30', decision: 'accept', reason: '' });
    expect(parsed).toEqual({ token: 't', roles: ['USER_ADMIN', 'DIRECTORY_READER'], durationDays: 30, decision: 'accept' });
  });

  it('reads one ticked role as a list of one, and a decline with a reason', () => {
    expect(decisionBody.parse({ token: 't', roles: 'USER_ADMIN', decision: 'accept', durationDays: '' }).roles).toEqual(['USER_ADMIN']);
    expect(decisionBody.parse({ token: 't', decision: 'decline', reason: '  Not now  ' }).reason).toBe('Not now');
  });

  it('refuses unknown roles, durations past 730 days and control characters in the reason', () => {
    expect(decisionBody.safeParse({ token: 't', decision: 'accept', roles: ['ROOT'] }).success).toBe(false);
    expect(decisionBody.safeParse({ token: 't', decision: 'accept', durationDays: '731' }).success).toBe(false);
    expect(decisionBody.safeParse({ token: 't', decision: 'decline', reason: 'a\u0000b' }).success).toBe(false);
  });
});
