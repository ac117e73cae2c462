import { Duration } from 'aws-cdk-lib';
import type { Node } from 'constructs';

/** The isolated copies the product is deployed to, one per cloud. */
export type Cloud = 'public' | 'usgov' | 'germany';

/** `production` keeps data through stack deletions and protects it from deletion; `dev` lets a throwaway copy be torn down. */
export type Stage = 'production' | 'dev';

/** Steady-state requests per second and burst allowed on the HTTP API's default route. */
export interface Throttle {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

/** A domain of the operator's own for the hosted sign-in pages, with its ACM certificate (in us-east-1, as Cognito requires). */
export interface SignInCustomDomain {
  readonly domainName: string;
  readonly certificateArn: string;
}

/** How a cloud serves the acceptance pages' hosted sign-in (Cognito managed login). */
export interface SignInSettings {
  /** Cognito's newer managed login (branding editor), or the classic hosted UI where only that is documented. */
  readonly managedLogin: boolean;
  /** Cognito serves the hosted pages on FIPS endpoints only (`<prefix>.auth-fips.<region>.amazoncognito.com`). */
  readonly fipsEndpoints: boolean;
  /** A domain of the operator's own; `undefined` means a Cognito prefix domain. */
  readonly customDomain: SignInCustomDomain | undefined;
}

/** Everything that differs between deployments, resolved from CDK context. */
export interface DeploymentConfig {
  readonly cloud: Cloud;
  readonly stage: Stage;
  readonly region: string;
  readonly stackName: string;
  readonly senderEmail: string;
  /** Where emailed links point; `undefined` means the HTTP API's own endpoint. */
  readonly publicBaseUrl: string | undefined;
  readonly invitationTtlDays: number;
  /** Invitations a partner may create per UTC day. */
  readonly invitationQuotaPerDay: number;
  readonly cleanupRate: Duration;
  readonly throttle: Throttle;
  /** Cognito Plus feature plan with threat protection enforced (compromised credentials, risky sign-ins). */
  readonly threatProtection: boolean;
  /** Where alarm notifications are emailed; `undefined` leaves the topic without subscribers. */
  readonly alarmEmail: string | undefined;
  readonly signIn: SignInSettings;
}

interface CloudDefaults {
  readonly region: string;
  readonly senderDomain: string;
  readonly throttle: Throttle;
  readonly threatProtection: boolean;
  readonly signIn: Omit<SignInSettings, 'customDomain'> & {
    /** Cognito offers custom domains for user pools here. */
    readonly customDomains: boolean;
  };
}

// GovCloud's Cognito documents no threat protection (formerly advanced security), so its pools stay on the default plan;
// for the hosted sign-in it documents only FIPS endpoints (`auth-fips`), the hosted UI and no custom domains.
const CLOUDS: Record<Cloud, CloudDefaults> = {
  public: {
    region: 'us-east-1',
    senderDomain: 'partner-relationships.example.com',
    throttle: { rateLimit: 50, burstLimit: 100 },
    threatProtection: true,
    signIn: { managedLogin: true, fipsEndpoints: false, customDomains: true },
  },
  usgov: {
    region: 'us-gov-west-1',
    senderDomain: 'usgov.partner-relationships.example.com',
    throttle: { rateLimit: 20, burstLimit: 40 },
    threatProtection: false,
    signIn: { managedLogin: false, fipsEndpoints: true, customDomains: false },
  },
  germany: {
    region: 'eu-central-1',
    senderDomain: 'de.partner-relationships.example.com',
    throttle: { rateLimit: 25, burstLimit: 50 },
    threatProtection: true,
    signIn: { managedLogin: true, fipsEndpoints: false, customDomains: true },
  },
};

const STAGES: readonly Stage[] = ['production', 'dev'];

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

function isCloud(value: string): value is Cloud {
  return Object.hasOwn(CLOUDS, value);
}

function isStage(value: string): value is Stage {
  return (STAGES as readonly string[]).includes(value);
}

function text(node: Node, key: string): string | undefined {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new Error(`Context "${key}" must be a string, got ${JSON.stringify(value)}`);
  }
  return String(value);
}

function positiveInt(node: Node, key: string, fallback: number): number {
  const raw = text(node, key);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`Context "${key}" must be a positive integer, got "${raw}"`);
  }
  return value;
}

function email(node: Node, key: string): string | undefined {
  const value = text(node, key);
  if (value !== undefined && !EMAIL.test(value)) {
    throw new Error(`Context "${key}" must be an email address, got "${value}"`);
  }
  return value;
}

function baseUrl(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`Context "publicBaseUrl" must be an absolute URL, got "${raw}"`);
  }
  if (url.protocol !== 'https:' || url.search !== '' || url.hash !== '') {
    throw new Error(`Context "publicBaseUrl" must be an https URL without query or fragment, got "${raw}"`);
  }
  return raw.replace(/\/+$/, '');
}

const DOMAIN_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const US_EAST_1_CERTIFICATE = /^arn:aws:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]+$/;

function signInCustomDomain(node: Node, cloud: Cloud): SignInCustomDomain | undefined {
  const domainName = text(node, 'signInDomainName');
  const certificateArn = text(node, 'signInCertificateArn');
  if (domainName === undefined && certificateArn === undefined) return undefined;
  if (!CLOUDS[cloud].signIn.customDomains) {
    throw new Error(`Context "signInDomainName": Cognito offers no custom domains for user pools in the ${cloud} cloud; leave it out to use the prefix domain`);
  }
  if (domainName === undefined || !DOMAIN_NAME.test(domainName)) {
    throw new Error(`Context "signInDomainName" must be a lower-case DNS name, given with "signInCertificateArn", got "${domainName ?? ''}"`);
  }
  if (certificateArn === undefined || !US_EAST_1_CERTIFICATE.test(certificateArn)) {
    throw new Error(`Context "signInCertificateArn" must be the ARN of an ACM certificate in us-east-1 (Cognito requires it there), got "${certificateArn ?? ''}"`);
  }
  return { domainName, certificateArn };
}

/**
 * Reads the deployment config from CDK context (`-c cloud=public|usgov|germany`, `-c stage=production|dev`, plus
 * optional `senderEmail`, `publicBaseUrl`, `alarmEmail`, `invitationTtlDays`, `invitationQuotaPerDay`, `cleanupRateMinutes`,
 * `throttleRateLimit`, `throttleBurstLimit`, `signInDomainName` with `signInCertificateArn`), failing loudly on bad values.
 */
export function loadConfig(node: Node): DeploymentConfig {
  const cloud = text(node, 'cloud') ?? 'public';
  if (!isCloud(cloud)) {
    throw new Error(`Unknown cloud "${cloud}": use -c cloud=${Object.keys(CLOUDS).join('|')}`);
  }
  const stage = text(node, 'stage') ?? 'production';
  if (!isStage(stage)) {
    throw new Error(`Unknown stage "${stage}": use -c stage=${STAGES.join('|')}`);
  }
  const defaults = CLOUDS[cloud];
  return {
    cloud,
    stage,
    region: defaults.region,
    stackName: `PartnerRelationships-${cloud}${stage === 'production' ? '' : `-${stage}`}`,
    senderEmail: email(node, 'senderEmail') ?? `no-reply@${defaults.senderDomain}`,
    publicBaseUrl: baseUrl(text(node, 'publicBaseUrl')),
    invitationTtlDays: positiveInt(node, 'invitationTtlDays', 90),
    invitationQuotaPerDay: positiveInt(node, 'invitationQuotaPerDay', 100),
    cleanupRate: Duration.minutes(positiveInt(node, 'cleanupRateMinutes', 15)),
    throttle: {
      rateLimit: positiveInt(node, 'throttleRateLimit', defaults.throttle.rateLimit),
      burstLimit: positiveInt(node, 'throttleBurstLimit', defaults.throttle.burstLimit),
    },
    threatProtection: defaults.threatProtection,
    alarmEmail: email(node, 'alarmEmail'),
    signIn: {
      managedLogin: defaults.signIn.managedLogin,
      fipsEndpoints: defaults.signIn.fipsEndpoints,
      customDomain: signInCustomDomain(node, cloud),
    },
  };
}
