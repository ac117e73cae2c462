/** Opaque list cursors: the last evaluated key, base64url-encoded and checked on the way back in. */
import * as z from 'zod';
import { ValidationError } from '../errors.js';

type Key = Record<string, string>;

/** A key attribute of a cursor: exactly this value, or any key value that begins with `prefix` (or with one of several). */
export type CursorKeyPart = string | { readonly prefix: string | readonly string[] };

/** DynamoDB's limit for a sort key value (a partition key may have 2048): the tighter one bounds every part. */
const MAX_KEY_BYTES = 1024;

const keyValue = z
  .string()
  .min(1)
  .refine((value) => value.isWellFormed() && Buffer.byteLength(value, 'utf8') <= MAX_KEY_BYTES);

/** Encodes DynamoDB's LastEvaluatedKey as an opaque cursor (or null at the end). */
export function encodeCursor(key: Record<string, unknown> | undefined): string | null {
  return key === undefined ? null : Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/**
 * Decodes a cursor and checks its whole shape against the query it continues: exactly the key
 * attributes of that table or index (`shape`), each a string of a sane length, in the partition
 * being listed and within the query's sort-key bounds. A forged or foreign cursor can never start
 * a query elsewhere, nor make DynamoDB refuse the query (400, not 500).
 */
export function decodeCursor(cursor: string | undefined, shape: Readonly<Record<string, CursorKeyPart>>): Key | undefined {
  if (cursor === undefined) return undefined;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  const schema = z.strictObject(
    Object.fromEntries(
      Object.entries(shape).map(([attribute, part]) => [
        attribute,
        typeof part === 'string' ? z.literal(part) : keyValue.refine((value) => [part.prefix].flat().some((prefix) => value.startsWith(prefix))),
      ]),
    ),
  );
  const result = schema.safeParse(key);
  if (!result.success) throw invalidCursor();
  return result.data as Key;
}

function invalidCursor(): ValidationError {
  return new ValidationError('The cursor is not valid for this list.', [{ path: 'cursor', message: 'invalid cursor' }]);
}
