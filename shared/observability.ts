/**
 * The names under which the service reports itself, in one place: the logger's and the tracer's
 * `service`, the metrics' namespace and `service` dimension, the stack's Powertools environment
 * and the dashboard all read them from here.
 */

/** Powertools' `service`: the logger's service field, the tracer's service annotation and the default dimension of every custom metric. */
export const SERVICE_NAME = 'partner-relationships';

/** The CloudWatch namespace of the product's Embedded Metric Format metrics. */
export const METRICS_NAMESPACE = 'PartnerRelationships';
