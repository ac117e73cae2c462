import { describe, expect, it } from 'vitest';
import { redact } from '../../shared/log.js';

describe('log redaction', () => {
  const jwt = 'eyJhbGciOiJFUzI1NiJ9.eyJwYXJ0bmVyX2lkIjoiZmFicmlrYW0ifQ.c2lnbmF0dXJl';
  const link = 'https://partners.example/accept/5b3f?token=KR8lpj2odx_HYU0ZcHs76cIvtVz8Sd10Rw-vQucLiVA';

  it('hides JWTs, link secrets and email addresses wherever they appear', () => {
    const redacted = JSON.stringify(
      redact({ message: `Bearer ${jwt} for admin@contoso.com`, nested: [{ url: link }], error: new Error(`failed for ${link}`) }),
    );
    expect(redacted).not.toContain(jwt);
    expect(redacted).not.toContain('KR8lpj2odx');
    expect(redacted).not.toContain('admin@contoso.com');
    expect(redacted).toContain('[REDACTED:jwt]');
  });

  it('hides the values of fields named like secrets, and keeps ids', () => {
    expect(redact({ token: 'abc', authorization: 'Bearer x', adminEmail: 'a@b.c', invitationId: 'inv-1' })).toEqual({
      token: '[REDACTED]',
      authorization: '[REDACTED]',
      adminEmail: '[REDACTED]',
      invitationId: 'inv-1',
    });
  });
});
