/** HTML escaping for every value that reaches a page or an HTML email. */
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

// Built on first use and kept: `toLocale*String` builds a formatter per call (~0.06 ms each), and
// the first one loads ICU's data (~10 ms), which a module-scope formatter would add to every cold start.
let formats: { day: Intl.DateTimeFormat; time: Intl.DateTimeFormat } | undefined;

/** Formats an ISO time for people: `24 November 2026, 22:04 UTC`. */
export function formatTime(iso: string): string {
  formats ??= {
    day: new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }),
    time: new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'UTC' }),
  };
  const date = new Date(iso);
  return `${formats.day.format(date)}, ${formats.time.format(date)} UTC`;
}

/** "1 day", "365 days". */
export function formatDays(days: number): string {
  return days === 1 ? '1 day' : `${days} days`;
}
