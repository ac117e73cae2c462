/** The sender's retry policy: which SES failures may pass, and how long it waits before trying again. */
import { MessageRejected, SESServiceException } from '@aws-sdk/client-ses';
import { describe, expect, it } from 'vitest';
import { backoffCeilingMs, isTransient } from '../../shared/invitations/delivery.js';
import { useUnitConfig } from '../support/unit.js';

/** An SES error as the SDK raises it: a name and the HTTP status SES answered with. */
const sesError = (name: string, status: number) =>
  new SESServiceException({ name, message: name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status } });

describe('which failures of a send are retried', () => {
  it('retries throttling, SES being unavailable or paused, and a send that got no answer at all', () => {
    expect(isTransient(sesError('Throttling', 400))).toBe(true);
    expect(isTransient(sesError('ServiceUnavailable', 503))).toBe(true);
    expect(isTransient(sesError('InternalFailure', 500))).toBe(true);
    expect(isTransient(sesError('AccountSendingPausedException', 400))).toBe(true);
    expect(isTransient(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }))).toBe(true);
  });

  it('does not retry what SES refuses for good: the same send would be refused again', () => {
    expect(isTransient(new MessageRejected({ message: 'Email address is not verified.', $metadata: { httpStatusCode: 400 } }))).toBe(false);
    expect(isTransient(sesError('InvalidParameterValue', 400))).toBe(false);
  });
});

describe('how long the sender waits before its next attempt', () => {
  useUnitConfig({ EMAIL_RETRY_BASE_MS: '1000' });

  it('doubles the bound from one second with each attempt made, and never lets it pass 30 seconds', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(backoffCeilingMs)).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });
});
