/** How far in the future a source's event time may be (clock skew) before it is refused. */
export const MAX_EVENT_CLOCK_SKEW_MS = 5 * 60_000;

/**
 * Event time orders lifecycle changes (an older event never undoes a newer state), so a time far in the
 * future would make the owner deaf to every real change after it. Refused with the error `fail` builds.
 */
export function assertPlausibleEventTime(at: Date, fail: (detail: string) => Error, now = Date.now()): void {
  if (!Number.isFinite(at.getTime())) throw fail('is not a valid time');
  if (at.getTime() > now + MAX_EVENT_CLOCK_SKEW_MS) throw fail('is in the future');
}
