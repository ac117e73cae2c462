/**
 * The one X-Ray tracer of the process (Powertools Tracer). It traces only inside Lambda with
 * tracing on: locally and in tests (no Lambda environment, or POWERTOOLS_TRACE_ENABLED=false)
 * it is a no-op and SDK clients pass through untouched.
 */
import { Tracer } from '@aws-lambda-powertools/tracer';
import { SERVICE_NAME } from './observability.js';

export const tracer = new Tracer({ serviceName: SERVICE_NAME });

/** Records every call of an AWS SDK v3 client as an X-Ray subsegment; returns the client unchanged when tracing is off. */
export function traced<T>(client: T): T {
  return tracer.captureAWSv3Client(client);
}
