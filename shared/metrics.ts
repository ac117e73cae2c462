/**
 * Business metrics as CloudWatch Embedded Metric Format (one JSON line each): how many
 * invitations are created, accepted, declined and expired, and how often a link is tried with a
 * wrong secret. No metric carries a tenant's data.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger } from './log.js';
import { METRICS_NAMESPACE, SERVICE_NAME } from './observability.js';

export type BusinessMetric =
  | 'InvitationsCreated'
  | 'InvitationsAccepted'
  | 'InvitationsDeclined'
  | 'InvitationsExpired'
  | 'RelationshipsTerminated'
  /** A notice to the customer's notify addresses (or an overlap record) that failed after its change committed. */
  | 'CustomerNoticesFailed'
  /** A notice to the partner's contact address that failed after its change committed. */
  | 'PartnerNoticesFailed'
  /** Invitation emails SES took (first sends, resends and reminders). */
  | 'InvitationEmailsSent'
  /** Attempts to send an invitation email that failed in a way that may pass (throttling, outage), each retried. */
  | 'InvitationEmailRetries'
  /** Invitation emails SES refused for good, or given up after every retry. */
  | 'InvitationEmailsFailed'
  /** An acceptance link used with an unknown id or a wrong secret (alarmed on: someone is probing links). */
  | 'AcceptanceLinkWrongSecret';

const metrics = new Metrics({
  namespace: METRICS_NAMESPACE,
  serviceName: SERVICE_NAME,
});

/** Counts one occurrence (or `count`) and writes it out at once, so no handler needs a flush step. */
export function countMetric(name: BusinessMetric, count = 1): void {
  if (count <= 0) return;
  try {
    metrics.addMetric(name, MetricUnit.Count, count);
    metrics.publishStoredMetrics();
  } catch (error) {
    // A metric must never fail the request it counts.
    logger.warn('Could not publish a metric', { metric: name, error: error instanceof Error ? error.name : 'unknown' });
  }
}
