import { JWTPayload } from 'jose';

/** Private claim: the issue time in milliseconds, so a revoke-all in the same second as issuance is exact. */
export const ISSUED_AT_MS_CLAIM = 'iat_ms';

/**
 * When the token was issued, in ms. The signed `iat_ms` when it agrees with `iat`; otherwise the start of the
 * `iat` second, the earliest it can have been issued, so that doubt counts against the token.
 */
export function issuedAtMs(payload: JWTPayload): number {
  const iat = typeof payload.iat === 'number' ? payload.iat : Number.NEGATIVE_INFINITY;
  const precise = payload[ISSUED_AT_MS_CLAIM];
  if (typeof precise === 'number' && Number.isSafeInteger(precise) && Math.floor(precise / 1000) === iat) return precise;
  return iat * 1000;
}

/** A revoke-all at `notBeforeMs` makes every token issued at or before that instant inactive. */
export function revokedByNotBefore(tokenIssuedAtMs: number, notBeforeMs: number): boolean {
  return tokenIssuedAtMs <= notBeforeMs;
}
