/** What a bearer token says about its holder, read without verifying it (the services verify; this is for people). */
export interface TokenClaims {
  subject?: string;
  issuer?: string;
  audience?: string[];
  /** The `roles` claim, as the services read it from tokens of their own issuer. */
  roles?: string[];
  /** Role names of an OpenID Connect provider (`realm_access.roles`, `groups`), which the services map to theirs. */
  providerRoles?: string[];
  expiresAt?: Date;
}

const strings = (value: unknown): string[] | undefined => (Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : undefined);

/** The claims of a JWT, or undefined when the text is not one. Never throws, never returns the token. */
export function readTokenClaims(token: string): TokenClaims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  let payload: Record<string, unknown>;
  try {
    payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof payload !== 'object' || payload === null) return undefined;
  const realmAccess = payload['realm_access'] as { roles?: unknown } | undefined;
  const providerRoles = [...(strings(realmAccess?.roles) ?? []), ...(strings(payload['groups']) ?? [])];
  return {
    ...(typeof payload['sub'] === 'string' ? { subject: payload['sub'] } : {}),
    ...(typeof payload['iss'] === 'string' ? { issuer: payload['iss'] } : {}),
    ...(typeof payload['aud'] === 'string' ? { audience: [payload['aud']] } : strings(payload['aud']) ? { audience: strings(payload['aud']) } : {}),
    ...(strings(payload['roles']) ? { roles: strings(payload['roles']) } : {}),
    ...(providerRoles.length ? { providerRoles } : {}),
    ...(typeof payload['exp'] === 'number' ? { expiresAt: new Date(payload['exp'] * 1000) } : {}),
  };
}
