/**
 * The roles a bearer token can grant, read from its `roles` claim. People hold the first three; machines hold the
 * narrowest that does their job: `ingest` (HR/IdP systems: SCIM, owners' profiles), `introspect` (resource servers),
 * `revoke-tokens` (containment's built-in-issuer connector), and, only where granted on purpose, `owner-lifecycle`
 * (report a termination or suspension through the owners API) and `link-identities` (re-link an owner's IdP ids:
 * whoever can re-link decides whose offboarding signal reaches whom).
 */
export const Role = {
  Admin: 'admin',
  SocAnalyst: 'soc-analyst',
  Reviewer: 'reviewer',
  Ingest: 'ingest',
  Introspect: 'introspect',
  RevokeTokens: 'revoke-tokens',
  OwnerLifecycle: 'owner-lifecycle',
  LinkIdentities: 'link-identities',
} as const;

export type Role = (typeof Role)[keyof typeof Role];

export const ROLES: readonly Role[] = Object.values(Role);

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
