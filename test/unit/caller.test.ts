import { describe, expect, it } from 'vitest';
import { callerOf, claimsFor, idempotencyScopeOf, TOKEN_SHAPES, type JwtClaims } from '../../shared/identity/caller.js';

const eventWith = (claims?: JwtClaims) => ({ requestContext: claims === undefined ? {} : { authorizer: { jwt: { claims } } } });

// What a Cognito ID token carries besides the tenant attribute.
const COGNITO_ID_EXTRAS = { sub: 'a1b2', email: 'staff@fabrikam.example', 'cognito:username': 'a1b2', aud: 'client', iss: 'https://cognito-idp.example' };

describe('the caller, read from verified claims in one place', () => {
  it.each(TOKEN_SHAPES)('names a partner and a customer admin from %s tokens alike', (shape) => {
    // Act
    const partner = callerOf(eventWith({ ...COGNITO_ID_EXTRAS, ...claimsFor({ kind: 'partner', partnerId: 'fabrikam' }, shape) }));
    const customer = callerOf(eventWith({ ...COGNITO_ID_EXTRAS, ...claimsFor({ kind: 'customer', customerDomain: 'Contoso.com' }, shape) }));
    // Assess
    expect(partner).toEqual({ kind: 'partner', partnerId: 'fabrikam' });
    expect(customer).toEqual({ kind: 'customer', customerDomain: 'contoso.com' });
  });

  it('reads Cognito ID tokens as custom: attributes', () => {
    expect(claimsFor({ kind: 'partner', partnerId: 'fabrikam' }, 'id')).toEqual({ 'custom:partner_id': 'fabrikam', token_use: 'id' });
    expect(claimsFor({ kind: 'customer', customerDomain: 'contoso.com' }, 'access')).toEqual({ customer_domain: 'contoso.com', token_use: 'access' });
  });

  it('names no one when a token claims both sides, or spells one claim two ways with different values', () => {
    expect(callerOf(eventWith({ token_use: 'id', 'custom:partner_id': 'fabrikam', 'custom:customer_domain': 'contoso.com' }))).toBeUndefined();
    expect(callerOf(eventWith({ token_use: 'id', 'custom:partner_id': 'fabrikam', partner_id: 'adatum' }))).toBeUndefined();
  });

  it('refuses a token that is not a sign-in token, and a request without verified claims (401)', () => {
    expect(() => callerOf(eventWith({ token_use: 'refresh', 'custom:partner_id': 'fabrikam' }))).toThrow(expect.objectContaining({ status: 401 }));
    expect(() => callerOf(eventWith())).toThrow(expect.objectContaining({ status: 401 }));
  });
});

describe('the Idempotency-Key scope', () => {
  it.each(TOKEN_SHAPES)('gives two partners with %s tokens two key spaces, and one partner the same in either shape', (shape) => {
    // Act
    const fabrikam = idempotencyScopeOf(eventWith(claimsFor({ kind: 'partner', partnerId: 'fabrikam' }, shape)));
    const wingtip = idempotencyScopeOf(eventWith(claimsFor({ kind: 'partner', partnerId: 'wingtip' }, shape)));
    // Assess
    expect(fabrikam).not.toBe(wingtip);
    expect(fabrikam).toBe('partner:fabrikam');
  });

  it('keeps customers, public requests and tokens that name no one apart from partners', () => {
    const scopes = [
      idempotencyScopeOf(eventWith(claimsFor({ kind: 'customer', customerDomain: 'fabrikam' }, 'id'))),
      idempotencyScopeOf(eventWith(claimsFor({ kind: 'partner', partnerId: 'fabrikam' }, 'id'))),
      idempotencyScopeOf(eventWith()),
      idempotencyScopeOf(eventWith({ token_use: 'id' })),
    ];
    expect(new Set(scopes).size).toBe(4);
  });
});
