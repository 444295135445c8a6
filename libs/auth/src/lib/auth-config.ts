import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { claimPath, OidcIssuerConfig, parseRoleMap } from './oidc-issuer';
import { ALLOWED_ALGORITHMS, AllowedAlgorithm, parsePublicKey, PublicKeyInput } from './public-key';

export const DEV_AUTH_ISSUER = 'agentgov-dev';
export const DEV_AUTH_AUDIENCE = 'agentgov';
export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 30;

export interface AuthConfig {
  issuer: string;
  /** Accepted `aud` values; a token must carry at least one. */
  audience: string | string[];
  /** Verify against this JWKS (keys are fetched and cached); exclusive with `publicKey`. */
  jwksUrl?: string;
  /** Verify against this one public key (PEM SPKI, JWK or KeyObject); exclusive with `jwksUrl`. */
  publicKey?: PublicKeyInput;
  /** Subset of ES256, RS256, EdDSA. With a public key, only the key's own algorithm is ever accepted. */
  algorithms?: AllowedAlgorithm[];
  clockToleranceSeconds?: number;
  /**
   * A trusted OpenID Connect issuer for people, beside `issuer`: a token is verified against the one its `iss` names.
   * Its roles come only from its role mapping (people roles); algorithms and clock tolerance are shared.
   */
  oidc?: OidcIssuerConfig;
}

/** Every variable `authConfigFromEnv` reads. */
export const AUTH_ENV_VARS = [
  'AUTH_ISSUER',
  'AUTH_AUDIENCE',
  'AUTH_JWKS_URL',
  'AUTH_PUBLIC_KEY',
  'AUTH_PUBLIC_KEY_FILE',
  'AUTH_ALGORITHMS',
  'AUTH_CLOCK_TOLERANCE_SECONDS',
  'AUTH_OIDC_ISSUER',
  'AUTH_OIDC_AUDIENCE',
  'AUTH_OIDC_JWKS_URL',
  'AUTH_OIDC_ROLES_CLAIM',
  'AUTH_OIDC_ROLE_MAP',
  'AUTH_OIDC_SUBJECT_CLAIM',
] as const;

/** The AUTH_OIDC_* variables; any of them without AUTH_OIDC_ISSUER is a mistake worth stopping for. */
const OIDC_ENV_VARS = AUTH_ENV_VARS.filter((name) => name.startsWith('AUTH_OIDC_'));

export type AuthEnvVar = (typeof AUTH_ENV_VARS)[number];

/**
 * Reads and validates AUTH_* variables. Throws an Error that names the offending variable; never echoes a
 * key. Exactly one of AUTH_JWKS_URL, AUTH_PUBLIC_KEY or AUTH_PUBLIC_KEY_FILE must be set.
 */
export function authConfigFromEnv(env: Record<string, string | undefined> = process.env): AuthConfig {
  const read = (name: AuthEnvVar): string | undefined => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };
  const required = (name: AuthEnvVar): string => {
    const value = read(name);
    if (!value) throw new Error(`${name} is required`);
    return value;
  };

  const issuer = required('AUTH_ISSUER');
  const audience = required('AUTH_AUDIENCE')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  if (audience.length === 0) throw new Error('AUTH_AUDIENCE must name at least one audience');

  const keySources = (['AUTH_JWKS_URL', 'AUTH_PUBLIC_KEY', 'AUTH_PUBLIC_KEY_FILE'] as const).filter((n) => read(n));
  if (keySources.length === 0) {
    throw new Error('AUTH_JWKS_URL, AUTH_PUBLIC_KEY or AUTH_PUBLIC_KEY_FILE is required (set exactly one)');
  }
  if (keySources.length > 1) throw new Error(`${keySources.join(' and ')} are both set; set exactly one`);

  const config: AuthConfig = { issuer, audience: audience.length === 1 ? audience[0] : audience };
  const source = keySources[0];
  if (source === 'AUTH_JWKS_URL') {
    config.jwksUrl = httpUrl(required('AUTH_JWKS_URL'), 'AUTH_JWKS_URL');
  } else if (source === 'AUTH_PUBLIC_KEY') {
    config.publicKey = parsePublicKey(required('AUTH_PUBLIC_KEY'), 'AUTH_PUBLIC_KEY');
  } else {
    const file = resolve(required('AUTH_PUBLIC_KEY_FILE'));
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new Error(`AUTH_PUBLIC_KEY_FILE cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}): ${file}`);
    }
    config.publicKey = parsePublicKey(text, 'AUTH_PUBLIC_KEY_FILE');
  }

  const algorithms = read('AUTH_ALGORITHMS');
  if (algorithms) {
    const list = algorithms
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean);
    const unknown = list.filter((a) => !(ALLOWED_ALGORITHMS as readonly string[]).includes(a));
    if (list.length === 0 || unknown.length > 0) {
      throw new Error(`AUTH_ALGORITHMS must be a comma-separated subset of ${ALLOWED_ALGORITHMS.join(', ')}`);
    }
    config.algorithms = list as AllowedAlgorithm[];
  }

  const tolerance = read('AUTH_CLOCK_TOLERANCE_SECONDS');
  if (tolerance !== undefined) {
    const seconds = Number(tolerance);
    if (!Number.isInteger(seconds) || seconds < 0 || seconds > 300) {
      throw new Error('AUTH_CLOCK_TOLERANCE_SECONDS must be an integer from 0 to 300');
    }
    config.clockToleranceSeconds = seconds;
  }

  const oidcIssuer = read('AUTH_OIDC_ISSUER');
  if (oidcIssuer) {
    if (oidcIssuer === issuer) throw new Error('AUTH_OIDC_ISSUER must differ from AUTH_ISSUER: a token is verified against the issuer its iss names');
    httpUrl(oidcIssuer, 'AUTH_OIDC_ISSUER');
    const oidcAudience = required('AUTH_OIDC_AUDIENCE')
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean);
    if (oidcAudience.length === 0) throw new Error('AUTH_OIDC_AUDIENCE must name at least one audience');
    const jwksUrl = read('AUTH_OIDC_JWKS_URL');
    const subjectClaim = read('AUTH_OIDC_SUBJECT_CLAIM');
    config.oidc = {
      // As the tokens spell it: Keycloak's has no trailing slash, Entra's v2.0 has none, Okta's org issuer has none.
      issuer: oidcIssuer,
      audience: oidcAudience.length === 1 ? oidcAudience[0] : oidcAudience,
      ...(jwksUrl ? { jwksUrl: httpUrl(jwksUrl, 'AUTH_OIDC_JWKS_URL') } : {}),
      rolesClaim: claimPath(read('AUTH_OIDC_ROLES_CLAIM') ?? 'roles', 'AUTH_OIDC_ROLES_CLAIM'),
      roleMap: parseRoleMap(required('AUTH_OIDC_ROLE_MAP'), 'AUTH_OIDC_ROLE_MAP'),
      ...(subjectClaim ? { subjectClaim: claimPath(subjectClaim, 'AUTH_OIDC_SUBJECT_CLAIM') } : {}),
    };
  } else {
    const stray = OIDC_ENV_VARS.filter((name) => read(name));
    if (stray.length > 0) throw new Error(`${stray.join(', ')} ${stray.length > 1 ? 'are' : 'is'} set without AUTH_OIDC_ISSUER`);
  }
  return config;
}

function httpUrl(value: string, name: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${name} must be an http(s) URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`${name} must be an http(s) URL`);
  return url.toString();
}
