/** Settings of the local stack, from the environment with the documented defaults. */
import { resolve } from 'node:path';

export interface LocalSettings {
  readonly port: number;
  readonly sesPort: number;
  readonly dynamodbPort: number;
  readonly dataDir: string;
  readonly publicBaseUrl: string;
  /** When set, use this DynamoDB instead of starting DynamoDB Local. */
  readonly dynamodbEndpoint: string | undefined;
  /** When set, use this SES endpoint instead of starting the SES stand-in. */
  readonly sesEndpoint: string | undefined;
  readonly tableName: string;
  readonly senderEmail: string;
  readonly cleanupIntervalSeconds: number;
  /** Port of the local OpenID Provider (sign-in on the acceptance pages); unset: any free port. */
  readonly idpPort?: number;
  /** Port of the EventBridge stand-in; unset: any free port. */
  readonly eventsPort?: number;
  /** When set, publish to this EventBridge endpoint instead of starting the stand-in. */
  readonly eventbridgeEndpoint?: string | undefined;
}

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new Error(`${name} must be a port number (0-65535), got "${raw}"`);
  return value;
}

const optional = (name: string) => (process.env[name] === undefined || process.env[name] === '' ? undefined : process.env[name]);

/** Reads PORT, SES_PORT, DYNAMODB_PORT, EVENTS_PORT, IDP_PORT, LOCAL_DATA_DIR, PUBLIC_BASE_URL, DYNAMODB_ENDPOINT, SES_ENDPOINT, EVENTBRIDGE_ENDPOINT and friends. */
export function readSettings(): LocalSettings {
  const apiPort = port('PORT', 3000);
  return {
    port: apiPort,
    sesPort: port('SES_PORT', 8005),
    dynamodbPort: port('DYNAMODB_PORT', 8000),
    eventsPort: port('EVENTS_PORT', 8006),
    idpPort: port('IDP_PORT', 8007),
    dataDir: resolve(optional('LOCAL_DATA_DIR') ?? '.local'),
    publicBaseUrl: (optional('PUBLIC_BASE_URL') ?? `http://localhost:${apiPort}`).replace(/\/+$/, ''),
    dynamodbEndpoint: optional('DYNAMODB_ENDPOINT'),
    sesEndpoint: optional('SES_ENDPOINT'),
    eventbridgeEndpoint: optional('EVENTBRIDGE_ENDPOINT'),
    tableName: optional('TABLE_NAME') ?? 'partner-relationships',
    senderEmail: optional('SENDER_EMAIL') ?? 'no-reply@partner-relationships.localhost',
    cleanupIntervalSeconds: Number(optional('CLEANUP_INTERVAL_SECONDS') ?? 60),
  };
}
