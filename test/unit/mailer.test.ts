import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetConfig } from '../../shared/config.js';
import { useUnitConfig } from '../support/unit.js';
import { observeSentEmails, resetSes, sendEmail } from '../../shared/mail/mailer.js';

const ses = mockClient(SESClient);
const content = { subject: 's', text: 't', html: '<p>h</p>' };

useUnitConfig();
beforeEach(() => {
  ses.reset();
  ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
  resetConfig();
  resetSes();
});
afterAll(() => {
  ses.restore();
});

describe('sending an email', () => {
  it('tags each email with its kind, which SES hands back in its events', async () => {
    await sendEmail('admin@contoso.com', content, 'invitation');
    await sendEmail('security@contoso.com', content);

    expect(ses.commandCalls(SendEmailCommand).map((call) => call.args[0].input.Tags)).toEqual([[{ Name: 'kind', Value: 'invitation' }], [{ Name: 'kind', Value: 'notice' }]]);
  });

  it("names the configuration set whose events say what became of it, when the stack sets SES_CONFIGURATION_SET", async () => {
    vi.stubEnv('SES_CONFIGURATION_SET', 'partner-relationships-emails');

    await sendEmail('admin@contoso.com', content);

    expect(ses.commandCalls(SendEmailCommand)[0]?.args[0].input.ConfigurationSetName).toBe('partner-relationships-emails');
    vi.stubEnv('SES_CONFIGURATION_SET', '');
  });

  it('names none locally, where the SES stand-in has no configuration sets', async () => {
    await sendEmail('admin@contoso.com', content);

    expect(ses.commandCalls(SendEmailCommand)[0]?.args[0].input).not.toHaveProperty('ConfigurationSetName');
  });

  it('tells the observer (the local mailbox simulator) of each accepted email with its message id', async () => {
    const seen: string[] = [];
    const previous = observeSentEmails((to, messageId) => seen.push(`${to} ${messageId}`));

    await sendEmail('bounce@contoso.com', content);
    observeSentEmails(previous);

    expect(seen).toEqual(['bounce@contoso.com m-1']);
  });
});
