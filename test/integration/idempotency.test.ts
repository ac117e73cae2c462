import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { resetConfig } from '../../shared/config.js';
import { localCredentials } from '../../shared/data/client.js';
import { resetIdempotency } from '../../shared/http/idempotency.js';
import { ensureIdempotencyTable } from '../../infra/local/idempotency-table.js';
import { handler as createInvitation } from '../../functions/create-invitation.js';
import { uniqueDomain, useTestTable } from '../support/environment.js';
import { apiEvent, lambdaContext } from '../support/events.js';
import { emailsTo } from '../support/mail.js';

const invoke = async (partnerId: string, body: unknown, key?: string) =>
  (await createInvitation(
    apiEvent('POST', '/invitations', { body, claims: { partner_id: partnerId }, headers: key === undefined ? {} : { 'idempotency-key': key } }),
    lambdaContext('create-invitation'),
  )) as APIGatewayProxyStructuredResultV2;

const json = (response: APIGatewayProxyStructuredResultV2) => JSON.parse(String(response.body)) as Record<string, unknown>;

describe('Idempotency-Key on POST /invitations', () => {
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

  it('answers a retry with the same key and body with the first response, creating one invitation and one email', async () => {
    // Prepare
    const customer = uniqueDomain();
    const body = { customerDomain: customer, adminEmail: `admin@${customer}` };
    // Act
    const first = await invoke('fabrikam', body, 'retry-me');
    const retry = await invoke('fabrikam', body, 'retry-me');
    // Assess
    expect(first.statusCode).toBe(201);
    expect(retry.statusCode).toBe(201);
    expect(json(retry).id).toBe(json(first).id);
    expect(retry.headers?.Location).toBe(first.headers?.Location);
    expect(await emailsTo(`admin@${customer}`)).toHaveLength(1);
  });

  it('refuses the same key with a different body: 409 IDEMPOTENCY_KEY_REUSED', async () => {
    const customer = uniqueDomain();
    await invoke('adatum', { customerDomain: customer, adminEmail: `admin@${customer}` }, 'reused');
    const other = await invoke('adatum', { customerDomain: customer, adminEmail: `it@${customer}` }, 'reused');
    expect(other.statusCode).toBe(409);
    expect(json(other).code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it("keeps one partner's keys apart from another's", async () => {
    const customer = uniqueDomain();
    const body = { customerDomain: customer, adminEmail: `admin@${customer}` };
    const fabrikam = await invoke('fabrikam', body, 'shared-key');
    const wingtip = await invoke('wingtip', body, 'shared-key');
    expect(wingtip.statusCode).toBe(201);
    expect(json(wingtip).id).not.toBe(json(fabrikam).id);
    expect(json(wingtip).partnerId).toBe('wingtip');
  });

  it('leaves requests without the header alone: a repeat is a new request', async () => {
    const customer = uniqueDomain();
    const body = { customerDomain: customer, adminEmail: `admin@${customer}` };
    expect((await invoke('wingtip', body)).statusCode).toBe(201);
    const repeat = await invoke('wingtip', body);
    expect(repeat.statusCode).toBe(409);
    expect(json(repeat).code).toBe('INVITATION_PENDING');
  });
});
