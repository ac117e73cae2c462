/** A fresh table on the shared DynamoDB Local for one test file, with the seed partners, and SDK call counting. */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, inject } from 'vitest';
import { localCredentials, db } from '../../shared/data/client.js';
import { ses } from '../../shared/mail/mailer.js';
import { clearPartnerCache } from '../../shared/partners/repository.js';
import { ensureTable } from '../../infra/local/table.js';
import { seed } from '../../infra/local/seed.js';
import { useEnvironment } from '../../infra/local/stack.js';
import { startEmailSender } from '../../infra/local/email-sender.js';
import type { StreamPoller } from '../../infra/local/stream-poller.js';
import { emailsSettled } from './mail.js';

let sender: StreamPoller | undefined;
afterAll(async () => {
  await sender?.stop();
  sender = undefined;
});

export const PUBLIC_BASE_URL = 'https://partners.example.test';

/** Creates a table of its own, points the shared clients at it, seeds the demo partners and starts the email sender on its stream. */
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
  await sender?.stop();
  sender = await startEmailSender({ dynamodbEndpoint, tableName, intervalMs: 50 });
  return { tableName };
}

/**
 * Counts the SDK commands sent from now on, by their wire names (`GetItemCommand`,
 * `TransactWriteItemsCommand`, `SendEmailCommand`, ...), once the email sender has sent what was
 * queued before: it shares the process's clients, so its calls would be counted too.
 */
export async function countSdkCalls(): Promise<{ calls: string[]; reset(): void; stop(): void }> {
  await emailsSettled();
  const calls: string[] = [];
  const name = `count-${randomUUID()}`;
  const middleware = (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
    calls.push(context.commandName ?? 'unknown');
    return next(args);
  };
  const clients = [db(), ses('invitation'), ses('notice')];
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
