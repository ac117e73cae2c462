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
}

interface CloudDefaults {
  readonly region: string;
  readonly senderDomain: string;
  readonly throttle: Throttle;
  readonly threatProtection: boolean;
}

// GovCloud's Cognito documents no threat protection (formerly advanced security), so its pools stay on the default plan.
const CLOUDS: Record<Cloud, CloudDefaults> = {
  public: {
    region: 'us-east-1',
    senderDomain: 'partner-relationships.example.com',
    throttle: { rateLimit: 50, burstLimit: 100 },
    threatProtection: true,
  },
  usgov: {
    region: 'us-gov-west-1',
    senderDomain: 'usgov.partner-relationships.example.com',
    throttle: { rateLimit: 20, burstLimit: 40 },
    threatProtection: false,
  },
  germany: {
    region: 'eu-central-1',
    senderDomain: 'de.partner-relationships.example.com',
    throttle: { rateLimit: 25, burstLimit: 50 },
    threatProtection: true,
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

/**
 * Reads the deployment config from CDK context (`-c cloud=public|usgov|germany`, `-c stage=production|dev`, plus
 * optional `senderEmail`, `publicBaseUrl`, `alarmEmail`, `invitationTtlDays`, `invitationQuotaPerDay`, `cleanupRateMinutes`,
 * `throttleRateLimit`, `throttleBurstLimit`), failing loudly on bad values.
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
  };
}
