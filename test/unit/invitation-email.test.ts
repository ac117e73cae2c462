import { describe, expect, it } from 'vitest';
import { hashSecret, newSecret } from '../../shared/clock.js';
import { acceptanceLink, invitationEmail, REPLACES_EARLIER } from '../../shared/mail/invitation-email.js';
import type { Invitation } from '../../shared/invitations/model.js';

const invitation: Invitation = {
  id: '5b3f0d7e-2f7a-4c69-9a0e-3d1f7f1c2b11',
  partnerId: 'fabrikam',
  partnerName: 'Fabrikam <script>alert(1)</script>',
  customerDomain: 'contoso.com',
  adminEmail: 'admin@contoso.com',
  roles: ['USER_ADMIN', 'BILLING_READER'],
  durationDays: 90,
  autoExtend: false,
  locale: 'en',
  message: 'We look after "your" tenant & more',
  status: 'PENDING',
  createdAt: '2026-11-24T10:00:00.000Z',
  expiresAt: '2027-02-22T10:00:00.000Z',
  tokenHash: 'x',
  email: { status: 'QUEUED', at: '2026-11-24T10:00:00.000Z' },
};

describe('the invitation email', () => {
  const link = acceptanceLink('https://partners.example.test', invitation.id, 'SECRET-abc_123');
  const email = invitationEmail(invitation, link);

  it('names the partner, the customer domain, the roles, the duration and when the request expires', () => {
    for (const body of [email.text, email.html]) {
      expect(body).toContain('contoso.com');
      expect(body).toContain('User administrator');
      expect(body).toContain('Billing reader');
      expect(body).toContain('90 days');
      expect(body).toContain('22 February 2027');
    }
    expect(email.subject).toContain('Fabrikam');
    expect(email.subject).toContain('contoso.com');
  });

  it('carries exactly one link, under PUBLIC_BASE_URL/accept', () => {
    expect(email.text.match(/https?:\/\/\S+/g)).toEqual([link]);
    expect(email.html.match(/href="[^"]*"/g)).toEqual([`href="${link}"`]);
    expect(link.startsWith('https://partners.example.test/accept/')).toBe(true);
  });

  it('escapes every value in the HTML body', () => {
    expect(email.html).not.toContain('<script>');
    expect(email.html).toContain('&lt;script&gt;');
    expect(email.html).toContain('&quot;your&quot; tenant &amp; more');
  });

  it('has a head with the charset, a viewport and the subject as its title, escaped', () => {
    const head = /^<!doctype html>\n<html lang="en" dir="ltr">\n<head>(.*)<\/head>\n<body[ >]/.exec(email.html)?.[1];
    expect(head).toBe(
      '<meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">' +
        '<title>Fabrikam &lt;script&gt;alert(1)&lt;/script&gt; asks for admin access to contoso.com</title>',
    );
    expect(email.subject).toBe('Fabrikam <script>alert(1)</script> asks for admin access to contoso.com');
  });

  it('says in a resent email, first, that it replaces the earlier one and that its link no longer works', () => {
    const resent = invitationEmail(invitation, link, { replacesEarlier: true });
    expect(REPLACES_EARLIER).toMatch(/replaces the one sent earlier.*no longer works/);
    expect(resent.text.startsWith(`${REPLACES_EARLIER}\n`)).toBe(true);
    expect(resent.html).toMatch(/<body[^>]*>\n<p><strong>This email replaces the one sent earlier for this request: the link in that email no longer works.<\/strong><\/p>/);
    expect(resent.text.match(/https?:\/\/\S+/g)).toEqual([link]);
    expect(email.text).not.toContain(REPLACES_EARLIER);
    expect(email.html).not.toContain('replaces the one sent earlier');
  });

  it('keeps CR and LF out of the subject', () => {
    const sneaky = invitationEmail({ ...invitation, partnerName: 'Evil\r\nBcc: x@evil.io' }, link);
    expect(sneaky.subject).not.toMatch(/[\r\n]/);
  });
});

describe('the link secret', () => {
  it('carries 256 bits from the CSPRNG and is stored only as a hash', () => {
    const secret = newSecret();
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    expect(newSecret()).not.toBe(secret);
    expect(hashSecret(secret)).not.toContain(secret);
    expect(hashSecret(secret)).toBe(hashSecret(secret));
  });
});
