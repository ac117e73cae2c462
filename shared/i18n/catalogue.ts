/** The one message catalogue: every string of every email and page, per locale, through one typed accessor. */
import { de } from './de.js';
import { en, type Messages } from './en.js';
import { es } from './es.js';
import { fr } from './fr.js';
import { ja } from './ja.js';
import { ru } from './ru.js';
import { dayAndTime, pluralise } from './format.js';
import { DIRECTION, type Locale } from './locales.js';

export type { Messages } from './en.js';
export { PAGE_PROBLEMS, type PageProblem } from './en.js';

/** A language missing here, or a key missing in one, is a type error. */
export const CATALOGUE = { en, de, ru, fr, es, ja } as const satisfies Record<Locale, Messages>;

let onRead: ((locale: Locale, key: string) => void) | undefined;

/** The texts of one locale. */
export function messages(locale: Locale): Messages {
  return onRead === undefined ? CATALOGUE[locale] : recording(CATALOGUE[locale], locale, '');
}

/** Reports every key read through {@link messages} until the returned function is called (for the catalogue's coverage test). */
export function recordKeyReads(listener: (locale: Locale, key: string) => void): () => void {
  onRead = listener;
  return () => {
    onRead = undefined;
  };
}

function recording<T extends object>(target: T, locale: Locale, prefix: string): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value: unknown = Reflect.get(object, property, receiver);
      if (typeof property !== 'string') return value;
      const key = prefix === '' ? property : `${prefix}.${property}`;
      // Plural forms count as one key: the rules, not the caller, pick the form.
      if (isPlural(value)) {
        onRead?.(locale, key);
        return value;
      }
      if (value !== null && typeof value === 'object') return recording(value, locale, key);
      onRead?.(locale, key);
      return value;
    },
  });
}

const isPlural = (value: unknown): boolean => value !== null && typeof value === 'object' && 'other' in value && typeof (value as { other: unknown }).other === 'string';

/** A time for people in the locale: `24 November 2026, 22:04 UTC`, `24. November 2026, 22:04 Uhr UTC`, `2026年11月24日 22:04（UTC）`. */
export function formatTime(iso: string, locale: Locale): string {
  return messages(locale).dateTime(dayAndTime(iso, locale));
}

/** A number of days in the locale: `1 day`, `365 days`, `21 день`, `5 дней`, `90日間`. */
export function formatDays(days: number, locale: Locale): string {
  return pluralise(locale, days, messages(locale).days);
}

/** The `lang` and `dir` attributes of a page or an email in the locale. */
export function htmlLangAttributes(locale: Locale): string {
  return `lang="${locale}" dir="${DIRECTION[locale]}"`;
}
