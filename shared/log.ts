/**
 * The structured logger. Nothing logs raw events, URLs with query strings, tokens or secrets:
 * callers pass only the fields they mean to record, and the formatter redacts anything that
 * still looks like a JWT, a link secret or an email address, so a mistake does not leak.
 */
import { LogFormatter, LogItem, Logger } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import { SERVICE_NAME } from './observability.js';

const JWT = /eyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*/g;
const TOKEN_PARAM = /([?&](?:token|secret)=)[^&\s"']+/gi;
const EMAIL = /[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+/g;
const SECRET_KEYS = /^(token|secret|authorization|password|cookie|tokenHash|replacedTokenHashes|adminEmail|email|acceptedBy)$/i;

/** Replaces secrets and personal data in a log value, however deeply it is nested. */
export function redact(value: unknown, key = ''): unknown {
  if (typeof value === 'string') {
    if (SECRET_KEYS.test(key)) return '[REDACTED]';
    return value.replace(JWT, '[REDACTED:jwt]').replace(TOKEN_PARAM, '$1[REDACTED]').replace(EMAIL, '[REDACTED:email]');
  }
  if (Array.isArray(value)) return value.map((item) => redact(item, key));
  if (value instanceof Error) return { name: value.name, message: redact(value.message), stack: redact(value.stack ?? '') };
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEYS.test(k) && typeof v !== 'object' ? '[REDACTED]' : redact(v, k)]));
  }
  return value;
}

/** Powertools' standard fields, with every message and attribute passed through `redact`. */
class RedactingFormatter extends LogFormatter {
  formatAttributes(attributes: UnformattedAttributes, additional: LogAttributes): LogItem {
    return new LogItem({
      attributes: {
        level: attributes.logLevel,
        message: redact(attributes.message) as string,
        timestamp: this.formatTimestamp(attributes.timestamp),
        service: attributes.serviceName,
        cold_start: attributes.lambdaContext?.coldStart,
        function_name: attributes.lambdaContext?.functionName,
        function_request_id: attributes.lambdaContext?.awsRequestId,
        xray_trace_id: attributes.xRayTraceId,
      },
    }).addAttributes(redact(additional) as LogAttributes);
  }
}

export const logger = new Logger({
  serviceName: SERVICE_NAME,
  logFormatter: new RedactingFormatter(),
});
