import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, errors, jwtVerify, JWTVerifyGetKey } from 'jose';

import { AuthError, AuthErrorCode } from '@agentgov/auth';

import { normalizeIssuer, TrustedRevocationIdp } from './trusted-revocation-idps';

/** The `typ` Okta Universal Logout gives its assertions; explicit typing keeps an ID token or access token from passing for one. */
export const REVOCATION_ASSERTION_TYPE = 'global-token-revocation+jwt';

/** How the metadata names this authentication method (the value Auth0 advertises for the same assertions). */
export const REVOCATION_ASSERTION_AUTH_METHOD = REVOCATION_ASSERTION_TYPE;

const ALGORITHMS = ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'];
/** Okta's assertions live ten minutes (nbf five minutes back, exp five ahead); a longer one is refused. */
const MAX_LIFETIME_SECONDS = 15 * 60;
const CLOCK_TOLERANCE_SECONDS = 30;

/** An IdP authenticated by its own signed assertion: it may log out only the owners linked to it. */
export interface IdpRevocationCaller {
  idp: TrustedRevocationIdp;
  /** The assertion's id: used once (the caller's guard records it), then refused as a replay. */
  jti: string;
  /** Until when the jti must be remembered. */
  expiresAt: Date;
}

/**
 * Verifies a revocation assertion from a trusted IdP (GTR_TRUSTED_IDPS), in the shape Okta Universal Logout sends:
 * `Authorization: Bearer <JWS>` with `typ: global-token-revocation+jwt`, `iss` the IdP, `sub` our client id there,
 * `aud` exactly this endpoint's URL, `jti`, `iat`, `exp` (and `nbf`), signed by a key of the IdP's JWKS.
 */
export class IdpRevocationAssertions {
  private readonly idps = new Map<string, { idp: TrustedRevocationIdp; keys: JWTVerifyGetKey }>();

  constructor(
    idps: readonly TrustedRevocationIdp[],
    /** The endpoint's own URL: the only audience accepted, so an assertion for another system is not good here. */
    private readonly endpointUrl: string,
  ) {
    for (const idp of idps) {
      const jwks = createRemoteJWKSet(new URL(idp.jwksUrl), { timeoutDuration: 5000, cooldownDuration: 30_000, cacheMaxAge: 600_000 });
      const keys: JWTVerifyGetKey = async (header, token) => {
        try {
          return await jwks(header, token);
        } catch (error) {
          const code = (error as { code?: string }).code;
          if (code === 'ERR_JWKS_NO_MATCHING_KEY' || code === 'ERR_JWKS_MULTIPLE_MATCHING_KEYS') throw error;
          // Not the caller's fault: the IdP's key set could not be fetched or read.
          throw new AuthError(AuthErrorCode.KeysUnavailable, `The signing keys of ${idp.issuer} cannot be fetched; try again later.`, { cause: error });
        }
      };
      this.idps.set(normalizeIssuer(idp.issuer), { idp, keys });
    }
  }

  get configured(): boolean {
    return this.idps.size > 0;
  }

  /**
   * Undefined when the token is not an assertion of a trusted IdP (it is then verified as a platform token); the
   * caller when it is one and verifies; an AuthError (401, or 503 when the IdP's keys cannot be fetched) otherwise.
   */
  async verify(token: string, nowMs = Date.now()): Promise<IdpRevocationCaller | undefined> {
    const trusted = this.trustedIssuerOf(token);
    if (!trusted) return undefined;
    const { idp, keys } = trusted;
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      throw new AuthError(AuthErrorCode.Malformed, 'The revocation assertion is not a valid JWS.');
    }
    if (header.typ !== REVOCATION_ASSERTION_TYPE) {
      throw new AuthError(AuthErrorCode.InvalidClaims, `A revocation assertion of ${idp.issuer} must be typed ${REVOCATION_ASSERTION_TYPE}.`);
    }
    let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: idp.issuer,
        audience: this.endpointUrl,
        algorithms: ALGORITHMS,
        typ: REVOCATION_ASSERTION_TYPE,
        requiredClaims: ['iat', 'exp', 'jti'],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        currentDate: new Date(nowMs),
      }));
    } catch (error) {
      throw assertionError(error, idp);
    }
    const { iat, exp, jti, sub } = payload as { iat: number; exp: number; jti: unknown; sub?: unknown };
    if (exp - iat > MAX_LIFETIME_SECONDS)
      throw new AuthError(AuthErrorCode.InvalidClaims, `A revocation assertion may live at most ${MAX_LIFETIME_SECONDS} s.`);
    if (typeof jti !== 'string' || jti === '' || jti.length > 256) throw new AuthError(AuthErrorCode.InvalidClaims, 'The revocation assertion needs a jti.');
    if (idp.clientId !== undefined && sub !== idp.clientId) {
      throw new AuthError(AuthErrorCode.InvalidClaims, `The revocation assertion's sub is not this integration's client id at ${idp.issuer}.`);
    }
    return { idp, jti, expiresAt: new Date((exp + CLOCK_TOLERANCE_SECONDS) * 1000) };
  }

  /** The trusted IdP named by the token's (not yet verified) `iss`: it only chooses which keys verify the token. */
  private trustedIssuerOf(token: string): { idp: TrustedRevocationIdp; keys: JWTVerifyGetKey } | undefined {
    if (this.idps.size === 0) return undefined;
    let iss: unknown;
    try {
      iss = decodeJwt(token).iss;
    } catch {
      return undefined;
    }
    return typeof iss === 'string' ? this.idps.get(normalizeIssuer(iss)) : undefined;
  }
}

function assertionError(error: unknown, idp: TrustedRevocationIdp): AuthError {
  if (error instanceof AuthError) return error;
  if (error instanceof errors.JWTExpired) return new AuthError(AuthErrorCode.Expired, 'The revocation assertion has expired.');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return new AuthError(AuthErrorCode.WrongAudience, "The revocation assertion's aud is not this endpoint's URL.");
    if (error.claim === 'iss') return new AuthError(AuthErrorCode.WrongIssuer, `The revocation assertion is not issued by ${idp.issuer}.`);
    return new AuthError(AuthErrorCode.InvalidClaims, `The revocation assertion's ${error.claim} claim is not acceptable.`);
  }
  return new AuthError(AuthErrorCode.InvalidSignature, `The revocation assertion is not signed by a key of ${idp.issuer}.`);
}
