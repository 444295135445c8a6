/**
 * The roles a bearer token can grant, read from its `roles` claim. People hold the first three; machines hold the
 * narrowest that does their job: `ingest` (HR/IdP systems: SCIM, owners' profiles), `introspect` (resource servers),
 * `revoke-tokens` (containment's built-in-issuer connector), `global-token-revocation` (an IdP or security tool calling
 * the provisioner's Global Token Revocation endpoint: ends every token of an agent, or of all an owner's agents), and,
 * only where granted on purpose, `owner-lifecycle` (report a termination or suspension through the owners API) and
 * `link-identities` (re-link an owner's IdP ids: whoever can re-link decides whose offboarding signal reaches whom).
 * `ssf-receiver` is a Shared Signals receiver of containment's transmitter: it manages and polls its own event streams
 * (the token's `sub` owns them) and nothing else. `read-owners` reads owners (status, email, linked ids) and nothing
 * else: the owner directory of containment's global-token-revocation connector.
 */
export const Role = {
  Admin: 'admin',
  SocAnalyst: 'soc-analyst',
  Reviewer: 'reviewer',
  Ingest: 'ingest',
  Introspect: 'introspect',
  RevokeTokens: 'revoke-tokens',
  GlobalTokenRevocation: 'global-token-revocation',
  OwnerLifecycle: 'owner-lifecycle',
  LinkIdentities: 'link-identities',
  SsfReceiver: 'ssf-receiver',
  ReadOwners: 'read-owners',
} as const;

export type Role = (typeof Role)[keyof typeof Role];

export const ROLES: readonly Role[] = Object.values(Role);

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** The roles of people, the only ones an OpenID Connect issuer's role mapping can grant (AUTH_OIDC_ROLE_MAP). */
export const PERSON_ROLES = [Role.Admin, Role.SocAnalyst, Role.Reviewer] as const;

export type PersonRole = (typeof PERSON_ROLES)[number];

export function isPersonRole(value: unknown): value is PersonRole {
  return typeof value === 'string' && (PERSON_ROLES as readonly string[]).includes(value);
}
