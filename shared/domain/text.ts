/**
 * Text the API accepts. Every string must be well-formed Unicode (a lone UTF-16 surrogate breaks
 * whatever serialises it next, such as the SES client); text one party writes for another to read
 * must also be free of characters that hide or reorder what the reader sees.
 */
import * as z from 'zod';

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// eslint-disable-next-line no-control-regex -- as above, but a tab or a line break is part of a written paragraph
const CONTROL_BUT_LINE_BREAKS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
/** Bidirectional embeddings, overrides and isolates: they make text display in another order than it is. */
const BIDI_OVERRIDES = /[\u202a-\u202e\u2066-\u2069]/;
/**
 * Zero-width spaces and joiners, word joiner, byte-order mark: invisible, they hide or split words.
 * The left-to-right and right-to-left marks (U+200E, U+200F) stay allowed: they only settle the
 * direction of neutral characters, cannot reorder letters, and right-to-left names need them.
 */
const INVISIBLES = /[\u200b-\u200d\u2060\ufeff]/;

/** The message of every refusal of ill-formed text, so all of them read the same. */
export const ILL_FORMED = 'must be well-formed Unicode (no lone UTF-16 surrogates)';

/**
 * The path (`a.b.0`) of the first ill-formed string in a parsed value, object keys included;
 * `undefined` when every string in it is well formed.
 */
export function findIllFormed(value: unknown, path: readonly string[] = []): string[] | undefined {
  if (typeof value === 'string') return value.isWellFormed() ? undefined : [...path];
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const at = [...path, key];
    if (!key.isWellFormed()) return at;
    const found = findIllFormed(item, at);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Text a person writes for another to read (a customer name, a partner's message, a decline
 * reason): trimmed, `min` to `max` characters, well-formed, no control characters (tabs and line
 * breaks only with `lineBreaks`), no bidirectional overrides and no zero-width characters.
 */
export function readerText(options: { readonly max: number; readonly min?: number; readonly lineBreaks?: boolean }) {
  const control = options.lineBreaks === true ? CONTROL_BUT_LINE_BREAKS : CONTROL;
  return z
    .string()
    .refine((value) => value.isWellFormed(), ILL_FORMED)
    .trim()
    .min(options.min ?? 1)
    .max(options.max)
    .refine((value) => !control.test(value), 'must not contain control characters')
    .refine((value) => !BIDI_OVERRIDES.test(value), 'must not contain bidirectional override characters (U+202A–U+202E, U+2066–U+2069)')
    .refine((value) => !INVISIBLES.test(value), 'must not contain zero-width characters (U+200B–U+200D, U+2060, U+FEFF)');
}
