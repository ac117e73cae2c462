/** A fresh table on the shared DynamoDB Local for one test file, with the seed partners, and SDK call counting. */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { localCredentials, db } from '../../shared/data/client.js';
import { ses } from '../../shared/mail/mailer.js';
import { clearPartnerCache } from '../../shared/partners/repository.js';
import { ensureTable } from '../../infra/local/table.js';
import { seed } from '../../infra/local/seed.js';
import { useEnvironment } from '../../infra/local/stack.js';

export const PUBLIC_BASE_URL = 'https://partners.example.test';

/** Creates a table of its own, points the shared clients at it and seeds the demo partners. */
export async function useTestTable(options: { sesEndpoint?: string; publicBaseUrl?: string } = {}): Promise<{ tableName: string }> {
  const tableName = `test-${randomUUID()}`;
  const dynamodbEndpoint = inject('dynamodbEndpoint');
  useEnvironment({
    tableName,
    publicBaseUrl: options.publicBaseUrl ?? PUBLIC_BASE_URL,
    senderEmail: 'no-reply@partner-relationships.test',
    dynamodbEndpoint,
    sesEndpoint: options.sesEndpoint ?? inject('sesEndpoint'),
  });
  clearPartnerCache();
  const admin = new DynamoDBClient({ endpoint: dynamodbEndpoint, region: 'local', credentials: localCredentials });
  await ensureTable(admin, tableName);
  admin.destroy();
  await seed();
  return { tableName };
}

/** Counts the SDK commands sent from now on, by their wire names (`GetItemCommand`, `TransactWriteItemsCommand`, `SendEmailCommand`, ...). */
export function countSdkCalls(): { calls: string[]; reset(): void; stop(): void } {
  const calls: string[] = [];
  const name = `count-${randomUUID()}`;
  const middleware = (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
    calls.push(context.commandName ?? 'unknown');
    return next(args);
  };
  const clients = [db(), ses()];
  for (const client of clients) client.middlewareStack.add(middleware as never, { step: 'initialize', name });
  return {
    calls,
    reset: () => {
      calls.length = 0;
    },
    stop: () => {
      for (const client of clients) client.middlewareStack.remove(name);
    },
  };
}

/** A customer domain nobody has used yet. */
export function uniqueDomain(prefix = 'contoso'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}.com`;
}
