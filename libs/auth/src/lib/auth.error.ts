export const AuthErrorCode = {
  Missing: 'missing',
  Malformed: 'malformed',
  InvalidSignature: 'invalid_signature',
  Expired: 'expired',
  WrongIssuer: 'wrong_issuer',
  WrongAudience: 'wrong_audience',
  InvalidClaims: 'invalid_claims',
  Forbidden: 'forbidden',
  KeysUnavailable: 'keys_unavailable',
} as const;

export type AuthErrorCode = (typeof AuthErrorCode)[keyof typeof AuthErrorCode];

const STATUS: Record<AuthErrorCode, number> = {
  missing: 401,
  malformed: 401,
  invalid_signature: 401,
  expired: 401,
  wrong_issuer: 401,
  wrong_audience: 401,
  invalid_claims: 401,
  forbidden: 403,
  keys_unavailable: 503,
};

/**
 * Why a request was not authenticated or not authorised. The message is safe to show a client: it never
 * contains the token.
 */
export class AuthError extends Error {
  override readonly name = 'AuthError';
  readonly status: number;

  constructor(
    readonly code: AuthErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.status = STATUS[code];
  }
}
