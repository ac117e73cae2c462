/**
 * Who is calling: the one place that reads the verified JWT claims the HTTP API's authorizer
 * hands to a function. Cognito ID tokens (what the API accepts in AWS) carry the tenant as
 * `custom:partner_id` / `custom:customer_domain`; access tokens customised by a pre-token trigger,
 * or another issuer, may carry them plain. Everything that needs the caller (the route guards,
 * the Idempotency-Key scope, the audit actor, the local issuer and tests) goes through here.
 */
import { ForbiddenError, UnauthorizedError } from '../errors.js';

/** Claims as the HTTP API's JWT authorizer passes them to a function. */
export type JwtClaims = Record<string, string | number | boolean | string[]>;

/** The part of an API Gateway v2 event that says who called. */
export interface AuthorizedEvent {
  readonly requestContext: { readonly authorizer?: { readonly jwt?: { readonly claims?: JwtClaims } } };
}

/** The claims that tie a user to a tenant (Cognito custom attributes of these names). */
export const TENANT_CLAIMS = { partner: 'partner_id', customer: 'customer_domain' } as const;

/** Cognito prefixes custom attributes with this in ID tokens. */
export const CUSTOM_ATTRIBUTE_PREFIX = 'custom:';

/** The two token shapes: a Cognito ID token (`custom:` claims) and an access token with plain claims. */
export const TOKEN_SHAPES = ['id', 'access'] as const;
export type TokenShape = (typeof TOKEN_SHAPES)[number];

export type Caller = { readonly kind: 'partner'; readonly partnerId: string } | { readonly kind: 'customer'; readonly customerDomain: string };

/** Cognito's two sign-in token kinds; anything else (or nothing) is not a token to call the API with. */
export const isSignInToken = (tokenUse: unknown): boolean => (TOKEN_SHAPES as readonly unknown[]).includes(tokenUse);

/** A tenant claim, plain or `custom:`; a token whose two spellings disagree names no one. */
function tenantClaim(claims: JwtClaims, name: string): string | undefined {
  const values = [claims[name], claims[`${CUSTOM_ATTRIBUTE_PREFIX}${name}`]].filter((v): v is string => typeof v === 'string' && v !== '');
  const [first] = values;
  return values.every((v) => v === first) ? first : undefined;
}

/** The caller named by verified claims, or undefined for a token that names neither side or both. */
function identify(claims: JwtClaims): Caller | undefined {
  const partnerId = tenantClaim(claims, TENANT_CLAIMS.partner);
  const customerDomain = tenantClaim(claims, TENANT_CLAIMS.customer);
  // A token claiming both sides is refused as neither.
  if (partnerId !== undefined && customerDomain === undefined) return { kind: 'partner', partnerId };
  if (customerDomain !== undefined && partnerId === undefined) return { kind: 'customer', customerDomain: customerDomain.toLowerCase() };
  return undefined;
}

/** Who holds the verified JWT: a partner or a customer admin; undefined for a token of neither kind; 401 without verified claims. */
export function callerOf(event: AuthorizedEvent): Caller | undefined {
  const claims = event.requestContext.authorizer?.jwt?.claims;
  if (claims === undefined) throw new UnauthorizedError();
  // The authorizer checks signature, issuer, audience and expiry; what the token is for is checked here.
  if (!isSignInToken(claims.token_use)) throw new UnauthorizedError('The bearer token is not a sign-in token.');
  return identify(claims);
}

/** The partner behind a verified JWT; 403 for a token of another kind. */
export function partnerIdOf(event: AuthorizedEvent): string {
  const caller = callerOf(event);
  if (caller?.kind !== 'partner') throw new ForbiddenError('PARTNER_TOKEN_REQUIRED', 'This route needs a partner token (a partner_id claim).');
  return caller.partnerId;
}

/** The customer domain behind a verified JWT; 403 for a token of another kind. */
export function customerDomainOf(event: AuthorizedEvent): string {
  const caller = callerOf(event);
  if (caller?.kind !== 'customer') {
    throw new ForbiddenError('CUSTOMER_TOKEN_REQUIRED', 'This route needs a customer admin token (a customer_domain claim).');
  }
  return caller.customerDomain;
}

/** The caller's address as its token carries it (Cognito ID tokens: `email`), or undefined (access tokens carry none). */
export function callerEmailOf(event: AuthorizedEvent): string | undefined {
  const email = event.requestContext.authorizer?.jwt?.claims?.email;
  return typeof email === 'string' && email !== '' ? email : undefined;
}

/** A partner or a customer admin; 403 for any other token. */
export function requireCaller(event: AuthorizedEvent): Caller {
  const caller = callerOf(event);
  if (caller === undefined) throw new ForbiddenError('TOKEN_KIND_REQUIRED', 'This route needs a partner or a customer admin token.');
  return caller;
}

/**
 * The key space a request's Idempotency-Key lives in: its caller (`partner:<id>`, `customer:<domain>`),
 * `public` on routes without a token, and `unidentified` for a token that names no caller (refused anyway).
 */
export function idempotencyScopeOf(event: AuthorizedEvent): string {
  const claims = event.requestContext.authorizer?.jwt?.claims;
  if (claims === undefined) return 'public';
  const caller = isSignInToken(claims.token_use) ? identify(claims) : undefined;
  if (caller === undefined) return 'unidentified';
  return caller.kind === 'partner' ? `partner:${caller.partnerId}` : `customer:${caller.customerDomain}`;
}

/** The claims that name `caller` in a token of `shape` (with its `token_use`): what the local issuer signs. */
export function claimsFor(caller: Caller, shape: TokenShape): JwtClaims {
  const [name, value] = caller.kind === 'partner' ? [TENANT_CLAIMS.partner, caller.partnerId] : [TENANT_CLAIMS.customer, caller.customerDomain];
  return { [shape === 'id' ? `${CUSTOM_ATTRIBUTE_PREFIX}${name}` : name]: value, token_use: shape };
}
