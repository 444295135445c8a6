/** RFC 8935 §2.4 error codes (IANA "Security Event Token Error Codes"). */
export type SsfErrorCode = 'invalid_request' | 'invalid_key' | 'invalid_issuer' | 'invalid_audience' | 'authentication_failed' | 'access_denied';

/** A push delivery refused: 400 with {"err", "description"} (RFC 8935 §2.3), or 503 when keys cannot be fetched. */
export class SsfError extends Error {
  constructor(
    readonly err: SsfErrorCode,
    readonly description: string,
    readonly status = 400,
  ) {
    super(description);
    this.name = 'SsfError';
  }
}
