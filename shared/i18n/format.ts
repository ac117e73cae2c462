/** Dates and counts for people, in each locale, through `Intl`; formatters are built on first use and kept. */
import { INTL_TAG, type Locale } from './locales.js';

/** The forms of a word by plural category (`other` always; `one`, `few`, `many`… as the language has them). */
export type PluralForms = Partial<Record<Intl.LDMLPluralRule, string>> & { readonly other: string };

// Built lazily: the first formatter loads ICU's data (~10 ms), which a module-scope one would add to every
// cold start; `toLocale*String` would build a new formatter per call (~0.06 ms each).
const dayFormats = new Map<Locale, Intl.DateTimeFormat>();
const timeFormats = new Map<Locale, Intl.DateTimeFormat>();
const pluralRules = new Map<Locale, Intl.PluralRules>();

function cached<T>(cache: Map<Locale, T>, locale: Locale, build: () => T): T {
  let value = cache.get(locale);
  if (value === undefined) {
    value = build();
    cache.set(locale, value);
  }
  return value;
}

/** The day (`24 November 2026`, `24. November 2026`, `2026年11月24日`) and the 24-hour time (`22:04`) of an ISO time, in UTC. */
export function dayAndTime(iso: string, locale: Locale): { day: string; time: string } {
  const date = new Date(iso);
  const day = cached(dayFormats, locale, () => new Intl.DateTimeFormat(INTL_TAG[locale], { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }));
  const time = cached(timeFormats, locale, () => new Intl.DateTimeFormat(INTL_TAG[locale], { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'UTC' }));
  return { day: day.format(date), time: time.format(date) };
}

/** The form of `forms` the locale's plural rules choose for `count`, with `#` replaced by the count. */
export function pluralise(locale: Locale, count: number, forms: PluralForms): string {
  const rules = cached(pluralRules, locale, () => new Intl.PluralRules(INTL_TAG[locale]));
  return (forms[rules.select(count)] ?? forms.other).replaceAll('#', String(count));
}
