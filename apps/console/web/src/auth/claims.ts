import { ConsoleConfig, Role } from '../config';

/** The claims of a JWT, read without verifying it: only to decide what to show. The services verify every token. */
export function unverifiedClaims(jwt: string): Record<string, unknown> {
  const payload = jwt.split('.')[1] ?? '';
  const json = atob(
    payload
      .replace(/-/g, '+')
      .replace(/_/g, '/')
      .padEnd(Math.ceil(payload.length / 4) * 4, '='),
  );
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0)))) as Record<string, unknown>;
}

/** The claim at `path`: a top-level claim of exactly that name first, else the nested one (as libs/auth reads it). */
export function claimAt(claims: Record<string, unknown>, path: string): unknown {
  if (Object.prototype.hasOwnProperty.call(claims, path)) return claims[path];
  let value: unknown = claims;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** The roles the services will grant this token: its IdP roles through the role map, the same rule as libs/auth's. */
export function rolesOf(claims: Record<string, unknown>, config: Pick<ConsoleConfig, 'rolesClaim' | 'roleMap'>): Role[] {
  const idpRoles = claimAt(claims, config.rolesClaim);
  if (!Array.isArray(idpRoles)) return [];
  const roles = new Set<Role>();
  for (const idpRole of idpRoles) {
    if (typeof idpRole === 'string' && Object.prototype.hasOwnProperty.call(config.roleMap, idpRole)) config.roleMap[idpRole].forEach((r) => roles.add(r));
  }
  return (['admin', 'soc-analyst', 'reviewer'] as const).filter((r) => roles.has(r));
}
