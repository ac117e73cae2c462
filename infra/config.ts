import { Duration } from 'aws-cdk-lib';
import type { Node } from 'constructs';

/** The isolated copies the product is deployed to, one per cloud. */
export type Cloud = 'public' | 'usgov' | 'germany';

/** Everything that differs between deployments, resolved from CDK context. */
export interface DeploymentConfig {
  readonly cloud: Cloud;
  readonly region: string;
  readonly stackName: string;
  readonly senderEmail: string;
  /** Where emailed links point; `undefined` means the HTTP API's own endpoint. */
  readonly publicBaseUrl: string | undefined;
  readonly invitationTtlDays: number;
  readonly cleanupRate: Duration;
}

const CLOUDS: Record<Cloud, { readonly region: string; readonly senderDomain: string }> = {
  public: { region: 'us-east-1', senderDomain: 'partner-relationships.example.com' },
  usgov: { region: 'us-gov-west-1', senderDomain: 'usgov.partner-relationships.example.com' },
  germany: { region: 'eu-central-1', senderDomain: 'de.partner-relationships.example.com' },
};

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

function isCloud(value: string): value is Cloud {
  return Object.hasOwn(CLOUDS, value);
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
 * Reads the deployment config from CDK context (`-c cloud=public|usgov|germany`, plus optional
 * `senderEmail`, `publicBaseUrl`, `invitationTtlDays`, `cleanupRateMinutes`), failing loudly on bad values.
 */
export function loadConfig(node: Node): DeploymentConfig {
  const cloud = text(node, 'cloud') ?? 'public';
  if (!isCloud(cloud)) {
    throw new Error(`Unknown cloud "${cloud}": use -c cloud=${Object.keys(CLOUDS).join('|')}`);
  }
  const { region, senderDomain } = CLOUDS[cloud];
  const senderEmail = text(node, 'senderEmail') ?? `no-reply@${senderDomain}`;
  if (!EMAIL.test(senderEmail)) {
    throw new Error(`Context "senderEmail" must be an email address, got "${senderEmail}"`);
  }
  return {
    cloud,
    region,
    stackName: `PartnerRelationships-${cloud}`,
    senderEmail,
    publicBaseUrl: baseUrl(text(node, 'publicBaseUrl')),
    invitationTtlDays: positiveInt(node, 'invitationTtlDays', 90),
    cleanupRate: Duration.minutes(positiveInt(node, 'cleanupRateMinutes', 15)),
  };
}
