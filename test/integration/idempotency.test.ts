import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { resetConfig } from '../../shared/config.js';
import { db, dynamodbClient, localCredentials, resetDb } from '../../shared/data/client.js';
import { resetIdempotency } from '../../shared/http/idempotency.js';
import { claimsFor, TOKEN_SHAPES, type TokenShape } from '../../shared/identity/caller.js';
import { ensureIdempotencyTable } from '../../infra/local/idempotency-table.js';
import { handler as createInvitation } from '../../functions/create-invitation.js';
import { uniqueDomain, useTestTable } from '../support/environment.js';
import { apiEvent, invoke as invokeFunction } from '../support/events.js';
import { auditTrail } from '../support/lifecycle.js';
import { emailsSettled, emailsTo } from '../support/mail.js';

const json = (response: APIGatewayProxyStructuredResultV2) => JSON.parse(String(response.body)) as Record<string, unknown>;
const outcome = (response: APIGatewayProxyStructuredResultV2) => (response.statusCode === 201 ? '201' : `${response.statusCode} ${String(json(response).code)}`);

/**
 * Holds the next transaction (a create's) until `release()`, so a request stays in progress while
 * others arrive; no sleeping. Called once the email sender is idle, so the transaction held is the request's.
 */
async function holdNextTransaction(): Promise<{ reached: Promise<void>; release(): void }> {
  await emailsSettled();
  const name = `hold-${randomUUID()}`;
  let reach = () => undefined as void;
  let release = () => undefined as void;
  const reached = new Promise<void>((resolve) => (reach = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const middleware = (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
    if (context.commandName === 'TransactWriteItemsCommand') {
      db().middlewareStack.remove(name);
      reach();
      await released;
    }
    return next(args);
  };
  db().middlewareStack.add(middleware as never, { step: 'initialize', name });
  return { reached, release };
}

beforeAll(async () => {
  const { tableName } = await useTestTable();
  const idempotencyTable = `${tableName}-idempotency`;
  const client = new DynamoDBClient({ endpoint: inject('dynamodbEndpoint'), region: 'local', credentials: localCredentials });
  await ensureIdempotencyTable(client, idempotencyTable);
  client.destroy();
  process.env.IDEMPOTENCY_TABLE_NAME = idempotencyTable;
  resetConfig();
  resetIdempotency();
});

// Cognito ID tokens (`custom:partner_id`, what the API gets in AWS) and access tokens with plain claims.
describe.each(TOKEN_SHAPES)('Idempotency-Key on POST /invitations, with %s tokens', (shape: TokenShape) => {
  const invoke = async (partnerId: string, body: unknown, key?: string) =>
    (await invokeFunction(
      createInvitation,
      apiEvent('POST', '/invitations', {
        body,
        claims: claimsFor({ kind: 'partner', partnerId }, shape),
        headers: key === undefined ? {} : { 'idempotency-key': key },
      }),
      'create-invitation',
    )) as APIGatewayProxyStructuredResultV2;
  const invitationOf = (customer: string) => ({ customerDomain: customer, adminEmail: `admin@${customer}` });

  it('answers a retry with the same key and body with the first response, creating one invitation and one email', async () => {
    // Prepare
    const customer = uniqueDomain();
    const key = randomUUID();
    // Act
    const first = await invoke('fabrikam', invitationOf(customer), key);
    const retry = await invoke('fabrikam', invitationOf(customer), key);
    // Assess
    expect(first.statusCode).toBe(201);
    expect(retry.statusCode).toBe(201);
    expect(json(retry).id).toBe(json(first).id);
    expect(retry.headers?.Location).toBe(first.headers?.Location);
    expect(await emailsTo(`admin@${customer}`)).toHaveLength(1);
  });

  it('refuses the same key with a different body (409 IDEMPOTENCY_KEY_REUSED) and still replays the original afterwards', async () => {
    // Prepare
    const customer = uniqueDomain();
    const key = randomUUID();
    const original = invitationOf(customer);
    // Act
    const first = await invoke('adatum', original, key);
    const other = await invoke('adatum', { ...original, adminEmail: `it@${customer}` }, key);
    const retry = await invoke('adatum', original, key);
    // Assess
    expect(first.statusCode).toBe(201);
    expect(outcome(other)).toBe('409 IDEMPOTENCY_KEY_REUSED');
    expect(outcome(retry)).toBe('201');
    expect(json(retry).id).toBe(json(first).id);
  });

  it("runs partner B's request as B's own when B reuses partner A's key and body", async () => {
    // Prepare
    const customer = uniqueDomain();
    const key = randomUUID();
    // Act
    const fabrikam = await invoke('fabrikam', invitationOf(customer), key);
    const wingtip = await invoke('wingtip', invitationOf(customer), key);
    // Assess
    expect(wingtip.statusCode).toBe(201);
    expect(json(wingtip).id).not.toBe(json(fabrikam).id);
    expect(json(wingtip).partnerId).toBe('wingtip');
    expect(await emailsTo(`admin@${customer}`)).toHaveLength(2);
  });

  it('runs 20 concurrent requests with one key and body once: the others replay it or are told it is in progress', async () => {
    // Prepare
    const customer = uniqueDomain();
    const key = randomUUID();
    // Act
    const responses = await Promise.all(Array.from({ length: 20 }, () => invoke('fabrikam', invitationOf(customer), key)));
    // Assess
    const created = responses.filter((r) => r.statusCode === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((r) => json(r).id)).size).toBe(1);
    expect(new Set(responses.filter((r) => r.statusCode !== 201).map(outcome))).toEqual(
      new Set(responses.some((r) => r.statusCode !== 201) ? ['409 IDEMPOTENCY_KEY_IN_PROGRESS'] : []),
    );
    const creations = (await auditTrail({ customerDomain: customer })).filter((e) => e.type === 'InvitationCreated');
    expect(creations).toHaveLength(1);
    expect(await emailsTo(`admin@${customer}`)).toHaveLength(1);
  });

  it('keeps an execution in progress while 19 more requests with its key arrive in two waves: all are told so, then it replays', async () => {
    // Prepare
    const customer = uniqueDomain();
    const key = randomUUID();
    const hold = await holdNextTransaction();
    // Act
    const running = invoke('wingtip', invitationOf(customer), key);
    await hold.reached;
    const firstWave = await Promise.all(Array.from({ length: 10 }, () => invoke('wingtip', invitationOf(customer), key)));
    const secondWave = await Promise.all(Array.from({ length: 9 }, () => invoke('wingtip', invitationOf(customer), key)));
    hold.release();
    const original = await running;
    const retry = await invoke('wingtip', invitationOf(customer), key);
    // Assess
    expect(outcome(original)).toBe('201');
    expect([...firstWave, ...secondWave].map(outcome)).toEqual(Array.from({ length: 19 }, () => '409 IDEMPOTENCY_KEY_IN_PROGRESS'));
    expect(outcome(retry)).toBe('201');
    expect(json(retry).id).toBe(json(original).id);
    expect((await auditTrail({ customerDomain: customer })).filter((e) => e.type === 'InvitationCreated')).toHaveLength(1);
  });

  it('creates at most one invitation from concurrent requests with one key and different bodies', async () => {
    // Prepare
    const customers = Array.from({ length: 12 }, () => uniqueDomain());
    const key = randomUUID();
    // Act
    const responses = await Promise.all(customers.map((customer) => invoke('adatum', invitationOf(customer), key)));
    // Assess
    expect(responses.filter((r) => r.statusCode === 201)).toHaveLength(1);
    for (const refused of responses.filter((r) => r.statusCode !== 201)) {
      expect(['409 IDEMPOTENCY_KEY_REUSED', '409 IDEMPOTENCY_KEY_IN_PROGRESS']).toContain(outcome(refused));
    }
    const emails = await Promise.all(customers.map((customer) => emailsTo(`admin@${customer}`)));
    expect(emails.flat()).toHaveLength(1);
  });

  it('leaves requests without the header alone: a repeat is a new request', async () => {
    const customer = uniqueDomain();
    expect((await invoke('wingtip', invitationOf(customer))).statusCode).toBe(201);
    const repeat = await invoke('wingtip', invitationOf(customer));
    expect(outcome(repeat)).toBe('409 INVITATION_PENDING');
  });
});

describe('the idempotency store', () => {
  /** Records the tables the process's one DynamoDB client is asked about, from now on. */
  const watchSharedClient = () => {
    const tables: string[] = [];
    const middleware = (next: (args: { input: { TableName?: string } }) => Promise<unknown>) => async (args: { input: { TableName?: string } }) => {
      tables.push(args.input.TableName ?? '');
      return next(args);
    };
    dynamodbClient().middlewareStack.add(middleware as never, { step: 'initialize', name: `watch-${randomUUID()}` });
    return tables;
  };
  const keyed = (customer: string) =>
    invokeFunction(
      createInvitation,
      apiEvent('POST', '/invitations', {
        body: { customerDomain: customer, adminEmail: `admin@${customer}` },
        claims: claimsFor({ kind: 'partner', partnerId: 'fabrikam' }, 'id'),
        headers: { 'idempotency-key': randomUUID() },
      }),
      'create-invitation',
    ) as Promise<APIGatewayProxyStructuredResultV2>;

  it("keeps its records through the process's one DynamoDB client, and through the new one after that client is replaced", async () => {
    // Prepare
    const idempotencyTable = String(process.env.IDEMPOTENCY_TABLE_NAME);
    const before = watchSharedClient();
    // Act
    const first = await keyed(uniqueDomain());
    resetDb();
    const after = watchSharedClient();
    const second = await keyed(uniqueDomain());
    // Assess
    expect([first.statusCode, second.statusCode]).toEqual([201, 201]);
    expect(before).toContain(idempotencyTable);
    expect(after).toContain(idempotencyTable);
  });
});
