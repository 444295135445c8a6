/** The roles a bearer token can grant, read from its `roles` claim. */
export const Role = {
  Admin: 'admin',
  SocAnalyst: 'soc-analyst',
  Reviewer: 'reviewer',
  Ingest: 'ingest',
} as const;

export type Role = (typeof Role)[keyof typeof Role];

export const ROLES: readonly Role[] = Object.values(Role);

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
