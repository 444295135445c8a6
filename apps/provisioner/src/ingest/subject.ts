const EVENT_EXTERNAL_ID = /^[\x21-\x7E]{1,256}$/;

/** A sender's id for the owner as identity.lifecycle.v1 can carry it (printable ASCII), or undefined. */
export function externalIdForEvent(value: string | undefined | null): string | undefined {
  return value && EVENT_EXTERNAL_ID.test(value) ? value : undefined;
}

export function looksLikeEmail(value: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value);
}
