/** Environment read once, on first use, failing loudly when something required is missing. */

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(`Missing required environment variable ${name}`);
  }
  return value;
}

function optional(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : value;
}

function positiveInt(name: string, fallback: number): number {
  const raw = optional(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`Environment variable ${name} must be a positive integer, got "${raw}"`);
  }
  return value;
}

export interface Config {
  readonly tableName: string;
  readonly publicBaseUrl: string;
  readonly senderEmail: string;
  /** How long an unanswered invitation stays open. */
  readonly invitationTtlDays: number;
  /** How many invitations a partner may create per UTC day. */
  readonly invitationQuotaPerDay: number;
  /** The table of Powertools idempotency records; needed only by functions that take Idempotency-Key. */
  readonly idempotencyTableName: string | undefined;
  /** Set locally to reach DynamoDB Local / the SES stand-in; unset in AWS. */
  readonly dynamodbEndpoint: string | undefined;
  readonly sesEndpoint: string | undefined;
  /** The SES configuration set every email is sent with (its events feed `record-email-events`); unset locally. */
  readonly sesConfigurationSet: string | undefined;
  /** Sends tried per invitation email (each with a link of its own) before it is FAILED and dead-lettered. */
  readonly emailMaxAttempts: number;
  /** The first retry's longest wait; each later one doubles it, up to `emailRetryMaxDelayMs`. */
  readonly emailRetryBaseMs: number;
  /** The longest wait between two attempts (30 s unless set: an SES that comes back is used within half a minute). */
  readonly emailRetryMaxDelayMs: number;
  /** The OpenID Provider of the acceptance pages' sign-in (Cognito's issuer URL in AWS); only functions flagged `usesSignIn` get it. */
  readonly oidcIssuer: string | undefined;
  /** The acceptance pages' client id at that provider. */
  readonly oidcClientId: string | undefined;
}

let cached: Config | undefined;

/** The configuration of this process, read from the environment the first time it is asked for. */
export function config(): Config {
  cached ??= {
    tableName: required('TABLE_NAME'),
    publicBaseUrl: required('PUBLIC_BASE_URL').replace(/\/+$/, ''),
    senderEmail: required('SENDER_EMAIL'),
    invitationTtlDays: positiveInt('INVITATION_TTL_DAYS', 90),
    idempotencyTableName: optional('IDEMPOTENCY_TABLE_NAME'),
    invitationQuotaPerDay: positiveInt('INVITATION_QUOTA_PER_DAY', 100),
    dynamodbEndpoint: optional('DYNAMODB_ENDPOINT'),
    sesEndpoint: optional('SES_ENDPOINT'),
    sesConfigurationSet: optional('SES_CONFIGURATION_SET'),
    emailMaxAttempts: positiveInt('EMAIL_MAX_ATTEMPTS', 8),
    emailRetryBaseMs: positiveInt('EMAIL_RETRY_BASE_MS', 1000),
    emailRetryMaxDelayMs: 1000 * Math.min(30, positiveInt('EMAIL_RETRY_MAX_DELAY_SECONDS', 30)),
    oidcIssuer: optional('OIDC_ISSUER')?.replace(/\/+$/, ''),
    oidcClientId: optional('OIDC_CLIENT_ID'),
  };
  return cached;
}

/** Forgets the cached configuration; for tests and the local stack, which set the environment late. */
export function resetConfig(): void {
  cached = undefined;
}

/** The sign-in settings, failing loudly where a function flagged `usesSignIn` was deployed without them. */
export function signInConfig(): { readonly issuer: string; readonly clientId: string } {
  const { oidcIssuer, oidcClientId } = config();
  if (oidcIssuer === undefined) throw new Error('Missing required environment variable OIDC_ISSUER');
  if (oidcClientId === undefined) throw new Error('Missing required environment variable OIDC_CLIENT_ID');
  return { issuer: oidcIssuer, clientId: oidcClientId };
}
