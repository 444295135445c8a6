import { KeyObject } from 'node:crypto';

import { createRemoteJWKSet, decodeJwt, errors, JWTPayload, jwtVerify, JWTVerifyGetKey } from 'jose';

import { AuthConfig, DEFAULT_CLOCK_TOLERANCE_SECONDS } from './auth-config';
import { AuthError, AuthErrorCode } from './auth.error';
import { discoverJwksUrl, OidcIssuerConfig, oidcRolesOf, oidcSubjectOf } from './oidc-issuer';
import { algorithmForKey, ALLOWED_ALGORITHMS, parsePublicKey } from './public-key';
import { isPersonRole, isRole, Role } from './roles';

export interface Principal {
  /** The token's `sub` (for the OpenID Connect issuer, its subject claim). */
  subject: string;
  /**
   * Known roles from the `roles` claim (unknown role names are dropped); for the OpenID Connect issuer's tokens, the
   * people roles its role mapping grants.
   */
  roles: Role[];
  /** The token's `jti`, when it has one. */
  tokenId?: string;
  claims: JWTPayload;
}

export type TokenVerifier = (authorizationHeader?: string | null) => Promise<Principal>;

const BEARER = /^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)[ ]*$/i;

/** How one trusted issuer's tokens are checked, and who they name. */
interface TrustedIssuer {
  issuer: string;
  audience: string[];
  key: KeyObject | JWTVerifyGetKey;
  algorithms: string[];
  principalOf(payload: JWTPayload): Principal;
}

/**
 * Verifies `Authorization: Bearer <jwt>` headers; rejects with an AuthError carrying a code. With `config.oidc`, a
 * token whose `iss` is that issuer is verified against its keys and audience, and its roles come from its role
 * mapping; any other token is verified as the primary issuer's.
 */
export function createTokenVerifier(config: AuthConfig): TokenVerifier {
  if (!config.issuer) throw new Error('auth config: issuer is required');
  const configured = config.algorithms?.length ? config.algorithms : [...ALLOWED_ALGORITHMS];
  if (configured.some((a) => !(ALLOWED_ALGORITHMS as readonly string[]).includes(a))) {
    throw new Error(`auth config: algorithms must be a subset of ${ALLOWED_ALGORITHMS.join(', ')}`);
  }
  if (Boolean(config.jwksUrl) === Boolean(config.publicKey)) {
    throw new Error('auth config: set exactly one of jwksUrl and publicKey');
  }

  let primary: TrustedIssuer;
  const audience = audienceList(config.audience);
  if (config.publicKey !== undefined) {
    const publicKey = parsePublicKey(config.publicKey);
    const algorithm = algorithmForKey(publicKey);
    if (!configured.includes(algorithm)) throw new Error(`auth config: the public key is for ${algorithm}, which is not allowed`);
    primary = { issuer: config.issuer, audience, key: publicKey, algorithms: [algorithm], principalOf: toPrincipal };
  } else {
    const jwksUrl = config.jwksUrl as string;
    primary = { issuer: config.issuer, audience, key: remoteKeys(async () => jwksUrl), algorithms: configured, principalOf: toPrincipal };
  }
  const oidc = config.oidc ? oidcIssuer(config.oidc, configured) : undefined;
  if (oidc && oidc.issuer === primary.issuer) throw new Error('auth config: the OpenID Connect issuer must differ from the primary issuer');

  const clockTolerance = config.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS;
  const verified = new VerifiedTokenCache();

  return async (authorizationHeader) => {
    if (!authorizationHeader?.trim()) throw new AuthError(AuthErrorCode.Missing, 'A bearer token is required.');
    const token = BEARER.exec(authorizationHeader.trim())?.[1];
    if (!token || token.split('.').length !== 3) {
      throw new AuthError(AuthErrorCode.Malformed, 'The Authorization header must be "Bearer" and a JWT.');
    }
    const cached = verified.get(token);
    if (cached) return cached;
    // Which issuer's keys to try is read from the token before it is verified; the verification then checks that same
    // `iss`, so a token cannot borrow one issuer's keys or role rules for another's claims.
    const trusted = oidc && unverifiedIssuer(token) === oidc.issuer ? oidc : primary;
    const options = { issuer: trusted.issuer, audience: trusted.audience, algorithms: trusted.algorithms, clockTolerance, requiredClaims: ['sub', 'exp'] };
    let payload: JWTPayload;
    try {
      const key = trusted.key;
      ({ payload } = typeof key === 'function' ? await jwtVerify(token, key, options) : await jwtVerify(token, key, options));
    } catch (error) {
      throw toAuthError(error);
    }
    const principal = trusted.principalOf(payload);
    verified.set(token, principal, (payload.exp as number) * 1000);
    return principal;
  };
}

function audienceList(audience: string | string[]): string[] {
  const list = Array.isArray(audience) ? audience : [audience];
  if (list.length === 0 || list.some((a) => !a)) throw new Error('auth config: audience is required');
  return list;
}

/** The OpenID Connect issuer for people: its keys (configured, or from its discovery document) and its role mapping. */
function oidcIssuer(config: OidcIssuerConfig, algorithms: string[]): TrustedIssuer {
  if (!config.issuer) throw new Error('auth config: the OpenID Connect issuer is required');
  for (const [idpRole, roles] of Object.entries(config.roleMap)) {
    if (roles.some((role) => !isPersonRole(role))) throw new Error(`auth config: ${idpRole} maps to a role an identity provider cannot grant`);
  }
  const jwksUrl = config.jwksUrl;
  return {
    issuer: config.issuer,
    audience: audienceList(config.audience),
    key: remoteKeys(jwksUrl ? async () => jwksUrl : () => discoverJwksUrl(config.issuer)),
    algorithms,
    principalOf: (payload) => ({
      subject: oidcSubjectOf(payload, config),
      roles: oidcRolesOf(payload, config),
      ...(typeof payload.jti === 'string' ? { tokenId: payload.jti } : {}),
      claims: payload,
    }),
  };
}

/**
 * Keys from a JWKS (fetched and cached by jose), whose URL is found once and found again after a failure. A key set
 * that cannot be fetched is our fault (503), a token whose key is not in it the caller's (401).
 */
function remoteKeys(findUrl: () => Promise<string>): JWTVerifyGetKey {
  let keys: Promise<JWTVerifyGetKey> | undefined;
  return async (header, token) => {
    const pending = (keys ??= findUrl().then((url) =>
      createRemoteJWKSet(new URL(url), { timeoutDuration: 5000, cooldownDuration: 30_000, cacheMaxAge: 600_000 }),
    ));
    let jwks: JWTVerifyGetKey;
    try {
      jwks = await pending;
    } catch (error) {
      if (keys === pending) keys = undefined;
      throw new KeysUnavailable(error);
    }
    try {
      return await jwks(header, token);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'ERR_JWKS_NO_MATCHING_KEY' || code === 'ERR_JWKS_MULTIPLE_MATCHING_KEYS') throw error;
      throw new KeysUnavailable(error);
    }
  };
}

/** The `iss` the token claims, unverified (only to choose whose keys verify it); undefined if it cannot be read. */
function unverifiedIssuer(token: string): string | undefined {
  try {
    const iss = decodeJwt(token).iss;
    return typeof iss === 'string' ? iss : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Tokens that verified, until they expire. Callers (resource servers, other services) send the same bearer
 * token on every request; an ECDSA verification costs ~0.13 ms of CPU, the lookup nothing. Only successes
 * are kept, bounded in number, and an entry never outlives the token's own expiry.
 */
class VerifiedTokenCache {
  private readonly entries = new Map<string, { principal: Principal; expiresAtMs: number }>();

  constructor(private readonly maxEntries = 10_000) {}

  get(token: string): Principal | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (entry.expiresAtMs <= Date.now()) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.principal;
  }

  set(token: string, principal: Principal, expiresAtMs: number): void {
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(token, { principal, expiresAtMs });
  }
}

/** Throws `forbidden` unless the principal holds at least one of `roles` (none listed: anyone passes). */
export function assertAnyRole(principal: Principal, roles: readonly Role[]): void {
  if (roles.length === 0 || roles.some((role) => principal.roles.includes(role))) return;
  throw new AuthError(AuthErrorCode.Forbidden, `This action requires one of the roles: ${roles.join(', ')}.`);
}

function toPrincipal(payload: JWTPayload): Principal {
  const roles = payload['roles'] ?? [];
  if (!Array.isArray(roles) || roles.some((r) => typeof r !== 'string')) {
    throw new AuthError(AuthErrorCode.InvalidClaims, 'The "roles" claim must be an array of strings.');
  }
  if (typeof payload.sub !== 'string' || payload.sub === '') {
    throw new AuthError(AuthErrorCode.InvalidClaims, 'The token has no subject.');
  }
  return {
    subject: payload.sub,
    roles: [...new Set(roles.filter(isRole))],
    ...(typeof payload.jti === 'string' ? { tokenId: payload.jti } : {}),
    claims: payload,
  };
}

/** The JWKS could not be fetched or used: a fault on our side, not the caller's. */
class KeysUnavailable extends Error {
  constructor(cause: unknown) {
    super('JWKS unavailable', { cause });
  }
}

function toAuthError(error: unknown): AuthError {
  if (error instanceof KeysUnavailable) {
    return new AuthError(AuthErrorCode.KeysUnavailable, 'The signing keys cannot be fetched; try again later.', {
      cause: error.cause,
    });
  }
  const code = (error as { code?: string } | undefined)?.code;
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return new AuthError(AuthErrorCode.Expired, 'The bearer token has expired.');
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED': {
      const claim = (error as errors.JWTClaimValidationFailed).claim;
      if (claim === 'iss') return new AuthError(AuthErrorCode.WrongIssuer, 'The bearer token was not issued by a trusted issuer.');
      if (claim === 'aud') return new AuthError(AuthErrorCode.WrongAudience, 'The bearer token is not meant for this service.');
      return new AuthError(AuthErrorCode.InvalidClaims, `The bearer token's "${claim}" claim is not acceptable.`);
    }
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return new AuthError(AuthErrorCode.InvalidSignature, 'The bearer token signature is not valid.');
  }
  return new AuthError(AuthErrorCode.Malformed, 'The bearer token is not a valid JWT.');
}
