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
 * The path (`['a', 'b', '0']`) of the first ill-formed string in a parsed value, object keys
 * included; `undefined` when every string in it is well formed. Iterative: a 64 KB body can nest
 * deeper than the call stack.
 */
export function findIllFormed(value: unknown): string[] | undefined {
  interface Node {
    readonly value: unknown;
    readonly key?: string;
    readonly parent?: Node;
  }
  const pathOf = (node: Node): string[] => {
    const path: string[] = [];
    for (let at: Node | undefined = node; at?.key !== undefined; at = at.parent) path.push(at.key);
    return path.reverse();
  };
  const pending: Node[] = [{ value }];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    if (typeof node.value === 'string') {
      if (!node.value.isWellFormed()) return pathOf(node);
    } else if (typeof node.value === 'object' && node.value !== null) {
      const entries = Object.entries(node.value);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, item] = entries[i] as [string, unknown];
        const child = { value: item, key, parent: node };
        if (!key.isWellFormed()) return pathOf(child);
        pending.push(child);
      }
    }
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
