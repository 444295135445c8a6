import { OwnerStatus } from '@agentgov/contracts';

/**
 * Identity source under which the SCIM userName is kept in owner_identities. Unique across live SCIM users
 * regardless of case (RFC 7643 §4.1.1: caseExact false, uniqueness server); released when the user is deleted.
 * Identity signals that carry an email match it too (OwnerMatcher): IdPs provision the login as the userName.
 */
export const SCIM_USERNAME_SOURCE = 'scim-username';

export interface OwnerIdentity {
  source: string;
  externalId: string;
}

export interface Owner {
  id: string;
  email: string | null;
  phone: string | null;
  displayName: string | null;
  managerId: string | null;
  team: string | null;
  status: OwnerStatus;
  statusReason: string | null;
  /** Event time at the source of the latest lifecycle change applied; null before any. */
  statusChangedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  identities: OwnerIdentity[];
}

/** Profile fields an API caller or an IdP may change; status changes only through lifecycle events. */
export interface OwnerProfile {
  email?: string | null;
  phone?: string | null;
  displayName?: string | null;
  managerId?: string | null;
  team?: string | null;
}

export const PROFILE_COLUMNS: Record<keyof OwnerProfile, string> = {
  email: 'email',
  phone: 'phone',
  displayName: 'display_name',
  managerId: 'manager_id',
  team: 'team',
};

export function toOwner(row: Record<string, any>, identities: OwnerIdentity[]): Owner {
  const changedAt = row.status_changed_at === null || row.status_changed_at === undefined ? null : new Date(row.status_changed_at);
  return {
    id: row.id,
    email: row.email ?? null,
    phone: row.phone ?? null,
    displayName: row.display_name ?? null,
    managerId: row.manager_id ?? null,
    team: row.team ?? null,
    status: row.status,
    statusReason: row.status_reason ?? null,
    // '-infinity' (never changed) comes back as an invalid date.
    statusChangedAt: changedAt && Number.isFinite(changedAt.getTime()) ? changedAt : null,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    identities,
  };
}

/** E.164-ish normal form: the digits with a leading '+', without spaces, dashes, dots or parentheses. */
export function normalizePhone(raw: string): string {
  const trimmed = raw.trim().replace(/^tel:/i, '');
  const digits = trimmed.replace(/[\s\-.()\u00a0/]/g, '');
  if (digits.startsWith('00')) return `+${digits.slice(2)}`;
  return digits;
}

export function normalizeEmail(raw: string): string {
  return raw.trim();
}
