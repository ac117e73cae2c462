/**
 * The table's stream as the publisher reads it: how the event source mapping delivers it (the
 * settings the CDK stack and the local poller share) and how a record's image is decoded.
 */
import type { AttributeValue } from 'aws-lambda';

/** How an event source mapping hands the table's stream to a function; the CDK stack and the local poller both read it. */
export interface StreamDelivery {
  readonly batchSize: number;
  readonly retryAttempts: number;
  readonly maxRecordAgeHours: number;
}

/** How the event source mapping hands the stream to publish-events; the CDK stack and the local poller both use these. */
export const STREAM_DELIVERY = {
  /** Records per invocation (Lambda's default for DynamoDB). */
  batchSize: 100,
  /** Retries of a failing record after its first try, before it goes to the dead-letter destination. */
  retryAttempts: 10_000,
  /** Ride out an EventBridge outage, then hand over with half the stream's 24 h retention left. */
  maxRecordAgeHours: 12,
} as const satisfies StreamDelivery;

/** How the event source mapping hands queued emails to the sender; the CDK stack and the local poller both use these. */
export const EMAIL_DELIVERY = {
  /** Jobs per invocation; they are sent side by side. */
  batchSize: 10,
  /**
   * Retries of a record the sender reported failed: after a crash or timeout the job resumes where
   * it stood; a job whose attempts are spent is reported failed until these run out, then dead-lettered.
   */
  retryAttempts: 3,
  maxRecordAgeHours: 12,
} as const satisfies StreamDelivery;

/** A stream image that does not have the shape DynamoDB sends: the record cannot be published, however often it is retried. */
export class StreamImageError extends Error {
  override readonly name = 'StreamImageError';
}

/**
 * Decodes a stream record's image exactly as AWS sends it to Lambda: every attribute value is an
 * object with one type key (`{"M":{}}` and `{"L":[]}` included); numbers come as strings (kept as
 * strings when a JavaScript number would change them), binaries as base64 strings, sets as arrays.
 */
export function decodeStreamImage(image: Record<string, AttributeValue> | undefined): Record<string, unknown> {
  if (image === undefined) throw new StreamImageError('The record has no image');
  return decodeMap(image, '');
}

function decodeMap(map: Record<string, AttributeValue>, path: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(map).map(([name, value]) => [name, decodeValue(value, path === '' ? name : `${path}.${name}`)]));
}

function decodeValue(value: AttributeValue, path: string): unknown {
  const types = Object.keys(value);
  if (types.length !== 1) throw new StreamImageError(`The attribute ${path} has ${types.length} type keys, not one`);
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return decodeNumber(value.N, path);
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.NULL !== undefined) return null;
  if (value.B !== undefined) return value.B;
  if (value.M !== undefined) return decodeMap(value.M, path);
  if (value.L !== undefined) return value.L.map((item, index) => decodeValue(item, `${path}[${index}]`));
  if (value.SS !== undefined) return [...value.SS];
  if (value.NS !== undefined) return value.NS.map((number) => decodeNumber(number, path));
  if (value.BS !== undefined) return [...value.BS];
  throw new StreamImageError(`The attribute ${path} has an unknown type ${types[0] ?? ''}`);
}

/** A number as a JavaScript number when that is exact, otherwise its DynamoDB string (38 digits do not fit a double). */
function decodeNumber(text: string, path: string): number | string {
  const number = Number(text);
  if (text.trim() === '' || !Number.isFinite(number)) throw new StreamImageError(`The attribute ${path} is not a number`);
  return Number.isInteger(number) && !Number.isSafeInteger(number) ? text : number;
}
