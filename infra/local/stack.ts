/**
 * The whole product on one machine: DynamoDB Local, the SES stand-in, the EventBridge stand-in,
 * the table, the seed, the gateway, SES's mailbox simulator and the cleanup timer. `npm start` and the end-to-end tests both use this.
 */
import { writeFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { resetConfig } from '../../shared/config.js';
import { localCredentials, resetDb } from '../../shared/data/client.js';
import { resetSes } from '../../shared/mail/mailer.js';
import { resetIdempotency } from '../../shared/http/idempotency.js';
import { resetEventBridge } from '../../shared/events/publisher.js';
import type { CleanupReport } from '../../shared/cleanup/service.js';
import { startEventBridgeStandIn, type EventBridgeStandIn } from './eventbridge.js';
import { closeServer, listen } from './http.js';
import { startStreamPoller, type StreamPoller } from './stream-poller.js';
import { startEmailSender } from './email-sender.js';
import { createGateway, type GatewayOptions } from './gateway.js';
import { invoke } from './invoke.js';
import { loadOrCreateKeys, type LocalKeys } from './jwt.js';
import { assertPortsFree, startDynamoDbLocal, startSesStandIn, type RunningService } from './processes.js';
import { seed } from './seed.js';
import { startMailboxSimulator } from './mailbox-simulator.js';
import { LOCAL_CLIENT_ID, startIdp } from './idp.js';
import { ensureCustomerAdmin } from './accounts.js';
import type { LocalSettings } from './settings.js';
import { ensureTable } from './table.js';
import { ensureIdempotencyTable } from './idempotency-table.js';
import { SERVICE_NAME } from '../../shared/observability.js';
import { SIGN_IN_CALLBACK_PATH } from '../../shared/sign-in/paths.js';

/** The local idempotency table sits beside the main one. */
export const idempotencyTableName = (tableName: string) => `${tableName}-idempotency`;

export interface LocalStack {
  readonly apiUrl: string;
  readonly sesUrl: string;
  readonly dynamodbEndpoint: string;
  /** The stand-in's list of events it would have published; undefined when events are off or go to `EVENTBRIDGE_ENDPOINT`. */
  readonly eventsUrl: string | undefined;
  /** The local OpenID Provider: the acceptance pages' sign-in (OIDC_ISSUER). */
  readonly idpUrl: string;
  /** The seed customer admin's password when this start created the account; undefined when it already existed. */
  readonly seedAdminPassword: string | undefined;
  readonly keys: LocalKeys;
  /** Resolves once SES's simulated events (delivered, bounced, complained) of every email sent so far are recorded. */
  emailEventsSettled(): Promise<void>;
  stop(): Promise<void>;
}

/** What `npm run token` and `npm run cleanup` read to reach the stack that shares their data directory. */
export interface StackFile {
  readonly apiUrl: string;
  readonly sesUrl: string;
  readonly dynamodbEndpoint: string;
  readonly sesEndpoint: string;
  readonly eventsUrl?: string;
  readonly eventbridgeEndpoint?: string;
  readonly idpUrl: string;
  readonly tableName: string;
  readonly senderEmail: string;
  readonly publicBaseUrl: string;
}

/** The customer admin every local stack starts with (an account of the local OpenID Provider). */
export const SEED_CUSTOMER_ADMIN = 'admin@contoso.com';

export const stackFile = (dataDir: string) => join(dataDir, 'stack.json');

/**
 * Starts every part, in order, and returns once the API answers. Anything started is stopped
 * again if a later part fails. `persist: false` keeps DynamoDB in memory (tests); `events: false`
 * leaves out the EventBridge stand-in and the stream poller that publishes the events;
 * `emailSender: false` leaves out the invitation emails' sender (the benchmark: in AWS it runs apart).
 */
export async function startLocalStack(
  settings: LocalSettings,
  options: {
    log?: (line: string) => void;
    persist?: boolean;
    cleanupTimer?: boolean;
    events?: boolean;
    emailSender?: boolean;
    /** Passed to the gateway: the contract test observes every answer; the benchmark serves the bundled assets and times each stage. */
    gateway?: Pick<GatewayOptions, 'loadHandler' | 'onStage' | 'onResponse'>;
  } = {},
): Promise<LocalStack> {
  const log = options.log ?? (() => undefined);
  const started: RunningService[] = [];
  let poller: StreamPoller | undefined;
  let sender: StreamPoller | undefined;
  const stopAll = async () => {
    await Promise.all([poller?.stop().catch(() => undefined), sender?.stop().catch(() => undefined)]);
    for (const service of started.reverse()) await service.stop().catch(() => undefined);
  };
  const start = async (service: Promise<RunningService>) => {
    const running = await service;
    started.push(running);
    return running.endpoint;
  };
  const dbPath = options.persist === false ? undefined : join(settings.dataDir, 'dynamodb');
  try {
    await assertPortsFree([
      { port: settings.port, variable: 'PORT' },
      ...(settings.dynamodbEndpoint === undefined ? [{ port: settings.dynamodbPort, variable: 'DYNAMODB_PORT' }] : []),
      ...(settings.sesEndpoint === undefined ? [{ port: settings.sesPort, variable: 'SES_PORT' }] : []),
      ...(options.events !== false && settings.eventbridgeEndpoint === undefined ? [{ port: settings.eventsPort ?? 0, variable: 'EVENTS_PORT' }] : []),
      { port: settings.idpPort ?? 0, variable: 'IDP_PORT' },
    ]);
    const dynamodbEndpoint = settings.dynamodbEndpoint ?? (await start(startDynamoDbLocal({ port: settings.dynamodbPort, dbPath })));
    const sesEndpoint = settings.sesEndpoint ?? (await start(startSesStandIn({ port: settings.sesPort })));
    let eventbridgeEndpoint = settings.eventbridgeEndpoint;
    let eventsUrl: string | undefined;
    let standIn: EventBridgeStandIn | undefined;
    if (options.events !== false && eventbridgeEndpoint === undefined) {
      standIn = await startEventBridgeStandIn({ port: settings.eventsPort ?? 0, log });
      started.push(standIn);
      eventbridgeEndpoint = standIn.endpoint;
      eventsUrl = standIn.eventsUrl;
    }

    useEnvironment({ ...settings, dynamodbEndpoint, sesEndpoint, eventbridgeEndpoint });
    const admin = new DynamoDBClient({ endpoint: dynamodbEndpoint, region: 'local', credentials: localCredentials });
    try {
      await ensureTable(admin, settings.tableName);
      await ensureIdempotencyTable(admin, idempotencyTableName(settings.tableName));
    } finally {
      admin.destroy();
    }
    await seed();
    if (options.events !== false) {
      poller = await startStreamPoller({
        dynamodbEndpoint,
        tableName: settings.tableName,
        log,
        handler: async (event) => invoke((await import('../../functions/publish-events.js')).handler, event, 'publish-events'),
        onDeadLetter: (letter) => standIn?.addDeadLetter(letter),
      });
    }
    // The invitation emails' sender, on the same stream: sending is never part of a request.
    if (options.emailSender !== false) {
      sender = await startEmailSender({ dynamodbEndpoint, tableName: settings.tableName, log, onDeadLetter: (letter) => standIn?.addDeadLetter(letter) });
    }
    const keys = await loadOrCreateKeys(settings.dataDir);

    const gateway = createGateway({ keys, log, ...options.gateway });
    const apiPort = await listen(gateway, settings.port);
    started.push({ endpoint: '', stop: () => closeServer(gateway) });
    // Stopped before the gateway closes (services stop in reverse), after the requests that send have answered.
    const mailbox = startMailboxSimulator({ log });
    started.push({ endpoint: '', stop: () => mailbox.stop() });
    const apiUrl = `http://localhost:${apiPort}`;

    // The acceptance pages' callback, at the public base URL (and at the gateway itself, when they differ).
    const idp = await startIdp({
      port: settings.idpPort ?? 0,
      dataDir: settings.dataDir,
      redirectUris: [`${settings.publicBaseUrl}${SIGN_IN_CALLBACK_PATH}`, `${apiUrl}${SIGN_IN_CALLBACK_PATH}`],
      log,
    });
    started.push(idp);
    Object.assign(process.env, { OIDC_ISSUER: idp.issuer, OIDC_CLIENT_ID: LOCAL_CLIENT_ID });
    resetConfig();
    const seedAdminPassword = await ensureCustomerAdmin(settings.dataDir, SEED_CUSTOMER_ADMIN);

    if (options.cleanupTimer !== false && settings.cleanupIntervalSeconds > 0) {
      const invokeCleanup = async () => invoke((await import('../../functions/cleanup-expired.js')).handler, {}, 'cleanup-expired');
      const timer = setInterval(() => {
        // The schedule invokes the cleanup function, as EventBridge Scheduler does in AWS.
        invokeCleanup().then(
          (report) => logCleanup(report, log),
          (error: unknown) => log(`cleanup failed: ${error instanceof Error ? error.message : String(error)}`),
        );
      }, settings.cleanupIntervalSeconds * 1000);
      timer.unref();
      started.push({ endpoint: '', stop: async () => clearInterval(timer) });
    }

    const file: StackFile = {
      apiUrl,
      sesUrl: sesEndpoint,
      dynamodbEndpoint,
      sesEndpoint,
      ...(eventsUrl === undefined ? {} : { eventsUrl }),
      ...(eventbridgeEndpoint === undefined ? {} : { eventbridgeEndpoint }),
      idpUrl: idp.issuer,
      tableName: settings.tableName,
      senderEmail: settings.senderEmail,
      publicBaseUrl: settings.publicBaseUrl,
    };
    await mkdir(settings.dataDir, { recursive: true });
    await writeFile(stackFile(settings.dataDir), JSON.stringify(file, null, 2));
    started.push({ endpoint: '', stop: () => rm(stackFile(settings.dataDir), { force: true }) });

    return { apiUrl, sesUrl: sesEndpoint, dynamodbEndpoint, eventsUrl, idpUrl: idp.issuer, seedAdminPassword, keys, emailEventsSettled: mailbox.settled, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Points the functions of this process at the local services, as Lambda's environment would. */
export function useEnvironment(
  settings: Pick<LocalSettings, 'tableName' | 'publicBaseUrl' | 'senderEmail'> & { dynamodbEndpoint: string; sesEndpoint: string; eventbridgeEndpoint?: string | undefined },
): void {
  Object.assign(process.env, {
    TABLE_NAME: settings.tableName,
    IDEMPOTENCY_TABLE_NAME: idempotencyTableName(settings.tableName),
    PUBLIC_BASE_URL: settings.publicBaseUrl,
    SENDER_EMAIL: settings.senderEmail,
    DYNAMODB_ENDPOINT: settings.dynamodbEndpoint,
    SES_ENDPOINT: settings.sesEndpoint,
    AWS_REGION: process.env.AWS_REGION ?? 'local',
    POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
    // Node 20 is the supported local runtime; Lambda runs nodejs22.x.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  if (settings.eventbridgeEndpoint !== undefined) process.env.EVENTBRIDGE_ENDPOINT = settings.eventbridgeEndpoint;
  resetConfig();
  resetDb();
  resetSes();
  resetIdempotency();
  resetEventBridge();
}

function logCleanup(report: CleanupReport, log: (line: string) => void): void {
  const changed = report.expiredInvitations.length + report.expiredRelationships.length + report.extendedRelationships.length;
  if (changed > 0) {
    log(
      `cleanup: expired ${report.expiredInvitations.length} invitation(s), expired ${report.expiredRelationships.length} and extended ${report.extendedRelationships.length} relationship(s)`,
    );
  }
}
