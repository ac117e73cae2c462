/** Sends email through SES (the SES stand-in locally). */
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { config } from '../config.js';
import { localCredentials } from '../data/client.js';
import { traced } from '../tracer.js';
import { retireOnClientSideFailure } from '../sdk-clients.js';
import type { EmailContent } from './invitation-email.js';

let client: SESClient | undefined;

/** The shared SES client, rebuilt after a client-side failure; locally it points at `SES_ENDPOINT`. */
export function ses(): SESClient {
  if (client === undefined) {
    const { sesEndpoint } = config();
    client = retireOnClientSideFailure(
      traced(new SESClient(sesEndpoint === undefined ? {} : { endpoint: sesEndpoint, region: process.env.AWS_REGION ?? 'local', credentials: localCredentials })),
      forgetSes,
    );
  }
  return client;
}

const forgetSes = (retired: SESClient) => {
  if (client === retired) client = undefined;
};

/** Forgets the shared client (the local stack and tests switch endpoints). */
export function resetSes(): void {
  client?.destroy();
  client = undefined;
}

/** Sends one email from the configured sender; resolves to SES's message id. */
export async function sendEmail(to: string, content: EmailContent): Promise<string> {
  const result = await ses().send(
    new SendEmailCommand({
      Source: config().senderEmail,
      Destination: { ToAddresses: [to] },
      Message: {
        Subject: { Data: content.subject, Charset: 'UTF-8' },
        Body: { Text: { Data: content.text, Charset: 'UTF-8' }, Html: { Data: content.html, Charset: 'UTF-8' } },
      },
    }),
  );
  return result.MessageId ?? '';
}
