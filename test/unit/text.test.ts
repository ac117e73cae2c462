import { describe, expect, it } from 'vitest';
import { createInvitationBody } from '../../shared/invitations/schema.js';
import { decisionBody } from '../../shared/acceptance/schema.js';
import { findIllFormed } from '../../shared/domain/text.js';

const base = { customerDomain: 'contoso.com', adminEmail: 'admin@contoso.com' };
const issuesOf = (result: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }) =>
  (result.error?.issues ?? []).map((issue) => issue.path.join('.'));

describe('text the API accepts', () => {
  it('refuses a lone UTF-16 surrogate in the message, the customer name and the decline reason', () => {
    expect(issuesOf(createInvitationBody.safeParse({ ...base, message: 'hello \udfff' }))).toContain('message');
    expect(issuesOf(createInvitationBody.safeParse({ ...base, customerName: '\ud800Contoso' }))).toContain('customerName');
    expect(issuesOf(decisionBody.safeParse({ token: 't', decision: 'decline', reason: 'no \udc00' }))).toContain('reason');
  });

  it('refuses bidirectional overrides and zero-width characters in what a partner writes for the customer, and in the reason', () => {
    for (const hidden of ['\u202e', '\u202a', '\u2066', '\u2069', '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff']) {
      const label = `U+${hidden.codePointAt(0)?.toString(16)}`;
      expect(createInvitationBody.safeParse({ ...base, message: `Please accept ${hidden}moc.live` }).success, label).toBe(false);
      expect(createInvitationBody.safeParse({ ...base, customerName: `Con${hidden}toso` }).success, label).toBe(false);
      expect(decisionBody.safeParse({ token: 't', decision: 'decline', reason: `not${hidden} now` }).success, label).toBe(false);
    }
  });

  it('keeps accepting ordinary text in any script, right-to-left marks and line breaks in the reason', () => {
    expect(createInvitationBody.safeParse({ ...base, customerName: 'Müller & Söhne 株式会社 שלום\u200f', message: 'Hallo 👋' }).success).toBe(true);
    expect(decisionBody.parse({ token: 't', decision: 'decline', reason: 'Not now.\r\nAsk again in May.' }).reason).toBe('Not now.\r\nAsk again in May.');
  });

  it('finds the path of the first ill-formed string anywhere in a parsed value, keys included', () => {
    expect(findIllFormed({ a: 'ok', b: [1, { c: 'x\ud800' }] })).toEqual(['b', '1', 'c']);
    expect(findIllFormed({ ['k\udfff']: 'ok' })).toEqual(['k\udfff']);
    expect(findIllFormed('\udfff')).toEqual([]);
    expect(findIllFormed({ a: ['😀', null, 3, true], b: { c: 'fine' } })).toBeUndefined();
  });
});

describe('a parsed body nested deeper than the call stack', () => {
  it('is walked without overflowing the stack', () => {
    const deep = JSON.parse(`${'['.repeat(30_000)}"\\udfff"${']'.repeat(30_000)}`) as unknown;
    expect(findIllFormed(deep)).toHaveLength(30_000);
  });
});
