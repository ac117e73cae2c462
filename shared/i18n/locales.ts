/** The languages emails and pages are written in, and how a visitor's or a partner's choice maps onto them. */

/** Every supported locale: exact, lower-case language tags. */
export const LOCALES = ['en', 'de', 'ru', 'fr', 'es', 'ja'] as const;

export type Locale = (typeof LOCALES)[number];

/** The language used when nothing else is known. */
export const DEFAULT_LOCALE: Locale = 'en';

/** Writing direction per locale (every shipped one is left-to-right; a right-to-left language says `rtl` here). */
export const DIRECTION: Readonly<Record<Locale, 'ltr' | 'rtl'>> = { en: 'ltr', de: 'ltr', ru: 'ltr', fr: 'ltr', es: 'ltr', ja: 'ltr' };

/** The tag `Intl` formats each locale with (`en` writes dates the British way: day, month, year). */
export const INTL_TAG: Readonly<Record<Locale, string>> = { en: 'en-GB', de: 'de-DE', ru: 'ru-RU', fr: 'fr-FR', es: 'es-ES', ja: 'ja-JP' };

/** True for a supported locale. */
export function isLocale(value: string): value is Locale {
  return (LOCALES as readonly string[]).includes(value);
}

/** The supported locale a language tag names, by its primary language (`de-DE`, `DE`, `de-AT` → `de`); undefined when none. */
export function supportedLocale(tag: string): Locale | undefined {
  const primary = tag.trim().split(/[-_]/)[0]?.toLowerCase() ?? '';
  return isLocale(primary) ? primary : undefined;
}

/** A stored locale, read defensively: one written before locales were checked falls back to the default. */
export function localeOr(value: string | undefined, fallback: Locale = DEFAULT_LOCALE): Locale {
  return (value === undefined ? undefined : supportedLocale(value)) ?? fallback;
}

/**
 * The visitor's most preferred supported language from an `Accept-Language` header (RFC 9110:
 * q-values, `*`, ties kept in the header's order), or `fallback` when it names none we write.
 */
export function negotiateLocale(header: string | undefined, fallback: Locale): Locale {
  if (header === undefined || header.trim() === '') return fallback;
  const ranges = header
    .split(',')
    .map((part, index) => {
      const [range = '', ...params] = part.split(';').map((piece) => piece.trim());
      const q = params.find((param) => /^q=/i.test(param));
      const weight = q === undefined ? 1 : Number(q.slice(2));
      return { range, weight: Number.isFinite(weight) && weight >= 0 && weight <= 1 ? weight : 0, index };
    })
    .filter((entry) => entry.range !== '' && entry.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.index - b.index);
  for (const { range } of ranges) {
    if (range === '*') return fallback;
    const locale = supportedLocale(range);
    if (locale !== undefined) return locale;
  }
  return fallback;
}
