/** Opaque list cursors: the last evaluated key, base64url-encoded and checked on the way back in. */
import { ValidationError } from '../errors.js';

type Key = Record<string, unknown>;

/** Encodes DynamoDB's LastEvaluatedKey as an opaque cursor (or null at the end). */
export function encodeCursor(key: Key | undefined): string | null {
  return key === undefined ? null : Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/**
 * Decodes a cursor and checks that it points into the partition being listed, so a forged
 * cursor can never start a query elsewhere.
 */
export function decodeCursor(cursor: string | undefined, expected: { attribute: string; value: string }): Key | undefined {
  if (cursor === undefined) return undefined;
  const invalid = () => new ValidationError('The cursor is not valid for this list.', [{ path: 'cursor', message: 'invalid cursor' }]);
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof key !== 'object' || key === null || Array.isArray(key)) throw invalid();
  const entries = Object.entries(key);
  if (entries.length > 4 || entries.some(([, v]) => typeof v !== 'string')) throw invalid();
  if ((key as Key)[expected.attribute] !== expected.value) throw invalid();
  return key as Key;
}
