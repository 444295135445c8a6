const DAY_MS = 86_400_000;

/** A moment as people read it here: the browser's locale and time zone. */
export function formatWhen(iso: string): string {
  return new Date(iso).toLocaleString();
}

/** How far a moment is from now, in days at most: "in 12 days", "3 days ago", "today", "tomorrow", "yesterday". */
export function daysFromNow(iso: string, now: number): string {
  const days = Math.round((Date.parse(iso) - now) / DAY_MS);
  if (days === 0) return 'today';
  if (days === 1) return 'tomorrow';
  if (days === -1) return 'yesterday';
  return days > 0 ? `in ${days} days` : `${-days} days ago`;
}

/** A duration in whole days, or hours below two days: "47 days", "5 hours", "less than an hour". */
export function durationWords(fromIso: string, now: number): string {
  const ms = Math.max(0, now - Date.parse(fromIso));
  if (ms < 3_600_000) return 'less than an hour';
  if (ms < 2 * DAY_MS) {
    const hours = Math.floor(ms / 3_600_000);
    return `${hours} hour${hours === 1 ? '' : 's'}`;
  }
  return `${Math.floor(ms / DAY_MS)} days`;
}

/** Capitalised first letter, for words built from identifiers. */
export function capitalise(text: string): string {
  return text ? text[0].toUpperCase() + text.slice(1) : text;
}
