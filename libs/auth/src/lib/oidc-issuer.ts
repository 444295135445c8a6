import { JWTPayload } from 'jose';

import { AuthError, AuthErrorCode } from './auth.error';
import { isPersonRole, isRole, PERSON_ROLES, PersonRole } from './roles';

/**
 * A trusted OpenID Connect issuer for people (Keycloak, Entra ID, Okta, ...), beside the issuer of AUTH_ISSUER. Its
 * tokens carry the IdP's own role or group names; only `roleMap` turns them into roles here, and it can grant only
 * the people roles (admin, soc-analyst, reviewer): a machine role never comes from an identity provider.
 */
export interface OidcIssuerConfig {
  /** The issuer identifier, exactly as the tokens' `iss` (and the discovery document's `issuer`) spell it. */
  issuer: string;
  /** Accepted `aud` values; a token must carry at least one. */
  audience: string | string[];
  /** The issuer's JWKS; when absent, the `jwks_uri` of its discovery document (`<issuer>/.well-known/openid-configuration`). */
  jwksUrl?: string;
  /** The claim holding the IdP's role names: its exact name, or a dotted path into nested claims (`realm_access.roles`). */
  rolesClaim: string;
  /** IdP role name to the people roles it grants. A name not in the map grants nothing. */
  roleMap: Readonly<Record<string, readonly PersonRole[]>>;
  /** The claim recorded as the person (audit actor, separation of duties); `sub` by default. */
  subjectClaim?: string;
}

/** `realm_access.roles`, `groups`, `https://example.com/roles`: printable, without spaces. */
const CLAIM_PATH = /^[\x21-\x7E]{1,256}$/;

/**
 * Parses `idp-role=role,idp-role=role` (e.g. `agentgov-soc=soc-analyst,agentgov-admin=admin`). One IdP role may be
 * listed more than once to grant several roles. Throws naming `variable` when an entry is malformed, names a role that
 * does not exist, or names a machine role.
 */
export function parseRoleMap(text: string, variable: string): Record<string, PersonRole[]> {
  const map: Record<string, PersonRole[]> = {};
  const entries = text
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new Error(`${variable} must map at least one identity-provider role, as idp-role=role`);
  for (const entry of entries) {
    const at = entry.indexOf('=');
    const idpRole = entry.slice(0, at).trim();
    const role = entry.slice(at + 1).trim();
    if (at <= 0 || !idpRole || !role || role.includes('=')) throw new Error(`${variable}: "${entry}" is not of the form idp-role=role`);
    if (!isPersonRole(role)) {
      throw new Error(
        isRole(role)
          ? `${variable}: ${role} is a machine role; an identity provider can grant only ${PERSON_ROLES.join(', ')}`
          : `${variable}: ${role} is not a role; an identity provider can grant ${PERSON_ROLES.join(', ')}`,
      );
    }
    const granted = (map[idpRole] ??= []);
    if (!granted.includes(role)) granted.push(role);
  }
  return map;
}

/** Checks a claim name or dotted path (AUTH_OIDC_ROLES_CLAIM, AUTH_OIDC_SUBJECT_CLAIM); returns it. */
export function claimPath(value: string, variable: string): string {
  if (!CLAIM_PATH.test(value) || value.startsWith('.') || value.endsWith('.') || value.includes('..')) {
    throw new Error(`${variable} must be a claim name or a dotted path such as realm_access.roles`);
  }
  return value;
}

/** The claim at `path`: a top-level claim of exactly that name first (names may contain dots), else the nested one. */
export function claimAt(payload: JWTPayload, path: string): unknown {
  if (Object.prototype.hasOwnProperty.call(payload, path)) return payload[path];
  let value: unknown = payload;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.prototype.hasOwnProperty.call(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/**
 * The people roles the token's IdP roles map to. No roles claim means no roles (a signed-in person the IdP gave none
 * of ours); a roles claim that is not a list of strings is refused.
 */
export function oidcRolesOf(payload: JWTPayload, config: Pick<OidcIssuerConfig, 'rolesClaim' | 'roleMap'>): PersonRole[] {
  const idpRoles = claimAt(payload, config.rolesClaim);
  if (idpRoles === undefined) return [];
  if (!Array.isArray(idpRoles) || idpRoles.some((r) => typeof r !== 'string')) {
    throw new AuthError(AuthErrorCode.InvalidClaims, `The "${config.rolesClaim}" claim must be an array of strings.`);
  }
  const roles = new Set<PersonRole>();
  for (const idpRole of idpRoles as string[]) {
    if (Object.prototype.hasOwnProperty.call(config.roleMap, idpRole)) for (const role of config.roleMap[idpRole]) roles.add(role);
  }
  return PERSON_ROLES.filter((role) => roles.has(role));
}

/** The person the token is about: the subject claim, a non-empty string. */
export function oidcSubjectOf(payload: JWTPayload, config: Pick<OidcIssuerConfig, 'subjectClaim'>): string {
  const claim = config.subjectClaim ?? 'sub';
  const subject = claimAt(payload, claim);
  if (typeof subject !== 'string' || subject === '') throw new AuthError(AuthErrorCode.InvalidClaims, `The token has no "${claim}" claim to name the person.`);
  return subject;
}

/**
 * The issuer's JWKS URL from its discovery document (OpenID Connect Discovery 1.0 §4), which must name the same
 * issuer (§4.3). Fetched when the first token of that issuer arrives, not at boot: a service must start while its
 * IdP is down, and answers 503 (keys unavailable) until the IdP is back.
 */
export async function discoverJwksUrl(issuer: string, timeoutMs = 5000): Promise<string> {
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  const response = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`OpenID Connect discovery at ${url} answered ${response.status}`);
  const document = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
  if (document.issuer !== issuer) throw new Error(`the discovery document at ${url} names another issuer`);
  if (typeof document.jwks_uri !== 'string' || !/^https?:\/\//.test(document.jwks_uri)) throw new Error(`the discovery document at ${url} has no jwks_uri`);
  return document.jwks_uri;
}
