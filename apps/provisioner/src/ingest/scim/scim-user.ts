import { createHash } from 'node:crypto';

import { Owner, OwnerProfile } from '../../owners/owner';
import { isObject, mainValue, managerId, member, scimBoolean, scimString } from './scim-attributes';
import { formattedName } from './scim-patch';
import { SCIM_ENTERPRISE_USER_SCHEMA, SCIM_SOURCE, SCIM_USER_SCHEMA, SCIM_USERNAME_SOURCE } from './scim.constants';
import { ScimError } from './scim.errors';

/** A User resource as a client sends it in POST or PUT, reduced to what owners keep. */
export interface ScimUserInput {
  userName: string;
  externalId?: string;
  active?: boolean;
  /** Complete: an absent attribute is null, since PUT replaces the resource. */
  profile: Required<OwnerProfile>;
}

export function parseScimUser(body: unknown): ScimUserInput {
  if (!isObject(body)) throw ScimError.invalidSyntax('The body must be a JSON object (a SCIM User)');
  const schemas = member(body, 'schemas');
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === SCIM_USER_SCHEMA.toLowerCase())) {
    throw ScimError.invalidSyntax(`schemas must contain ${SCIM_USER_SCHEMA}`);
  }
  const rawUserName = member(body, 'userName');
  if (rawUserName === undefined) throw ScimError.invalidValue('userName is required');
  const userName = scimString(rawUserName, 'userName', 256);
  const rawExternalId = member(body, 'externalId');
  const externalId = rawExternalId === undefined || rawExternalId === null ? undefined : scimString(rawExternalId, 'externalId', 256);
  const rawActive = member(body, 'active');
  const active = rawActive === undefined || rawActive === null ? undefined : scimBoolean(rawActive, 'active');

  const name = member(body, 'name');
  if (name !== undefined && name !== null && !isObject(name)) throw ScimError.invalidValue('name must be an object');
  const rawDisplayName = member(body, 'displayName');
  const displayName =
    rawDisplayName === undefined || rawDisplayName === null
      ? ((isObject(name) ? formattedName(name) : undefined) ?? null)
      : scimString(rawDisplayName, 'displayName', 200);

  const email = mainValue(member(body, 'emails'), 'emails') ?? (userName.includes('@') ? userName : null);
  const phone = mainValue(member(body, 'phoneNumbers'), 'phoneNumbers') ?? null;

  const enterprise = member(body, SCIM_ENTERPRISE_USER_SCHEMA);
  if (enterprise !== undefined && enterprise !== null && !isObject(enterprise)) {
    throw ScimError.invalidValue(`${SCIM_ENTERPRISE_USER_SCHEMA} must be an object`);
  }
  const manager = member(enterprise, 'manager');
  const department = member(enterprise, 'department');

  return {
    userName,
    ...(externalId !== undefined ? { externalId } : {}),
    ...(active !== undefined ? { active } : {}),
    profile: {
      email,
      phone,
      displayName,
      managerId: manager === undefined ? null : managerId(manager),
      team: department === undefined || department === null || department === '' ? null : scimString(department, 'department', 200),
    },
  };
}

export interface ScimUserResource {
  schemas: string[];
  id: string;
  externalId?: string;
  userName: string;
  displayName?: string;
  name?: { formatted: string };
  active: boolean;
  emails?: Array<{ value: string; type: string; primary: boolean }>;
  phoneNumbers?: Array<{ value: string; type: string; primary: boolean }>;
  [SCIM_ENTERPRISE_USER_SCHEMA]?: { manager?: { value: string }; department?: string };
  meta: { resourceType: 'User'; created: string; lastModified: string; location: string; version: string };
}

/**
 * The owner as a SCIM User. `active` is the owner's status, or the state just requested when the change is
 * still on its way through identity.lifecycle.v1.
 */
export function renderScimUser(owner: Owner, baseUrl: string, active = owner.status === 'active'): ScimUserResource {
  const userName = owner.identities.find((i) => i.source === SCIM_USERNAME_SOURCE)?.externalId ?? owner.email ?? owner.id;
  const externalId = owner.identities.find((i) => i.source === SCIM_SOURCE)?.externalId;
  const enterprise = {
    ...(owner.managerId ? { manager: { value: owner.managerId } } : {}),
    ...(owner.team ? { department: owner.team } : {}),
  };
  return {
    schemas: Object.keys(enterprise).length ? [SCIM_USER_SCHEMA, SCIM_ENTERPRISE_USER_SCHEMA] : [SCIM_USER_SCHEMA],
    id: owner.id,
    ...(externalId ? { externalId } : {}),
    userName,
    ...(owner.displayName ? { displayName: owner.displayName, name: { formatted: owner.displayName } } : {}),
    active,
    ...(owner.email ? { emails: [{ value: owner.email, type: 'work', primary: true }] } : {}),
    ...(owner.phone ? { phoneNumbers: [{ value: owner.phone, type: 'work', primary: true }] } : {}),
    ...(Object.keys(enterprise).length ? { [SCIM_ENTERPRISE_USER_SCHEMA]: enterprise } : {}),
    meta: {
      resourceType: 'User',
      created: owner.createdAt.toISOString(),
      lastModified: new Date(Math.max(owner.updatedAt.getTime(), owner.statusChangedAt?.getTime() ?? 0)).toISOString(),
      location: `${baseUrl}/scim/v2/Users/${encodeURIComponent(owner.id)}`,
      version: scimVersion(owner, active),
    },
  };
}

/** Weak ETag over everything the resource shows. */
export function scimVersion(owner: Owner, active: boolean): string {
  const hash = createHash('sha256')
    .update(JSON.stringify([owner.updatedAt.toISOString(), owner.status, owner.statusChangedAt?.toISOString() ?? null, active, owner.identities]))
    .digest('base64url')
    .slice(0, 22);
  return `W/"${hash}"`;
}
