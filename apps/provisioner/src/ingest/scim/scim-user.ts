import { Owner, OwnerProfile } from '../../owners/owner';
import { isObject, mainValue, managerId, member, scimBoolean, scimString } from './scim-attributes';
import { scimVersionOf } from './scim-request';
import { SCIM_ENTERPRISE_USER_SCHEMA, SCIM_USER_SCHEMA, SCIM_USERNAME_SOURCE } from './scim.constants';
import { ScimError } from './scim.errors';

/** The sub-attributes of a User's `name` (RFC 7643 §4.1.1), all kept as the client sent them. */
export const NAME_PARTS = ['formatted', 'familyName', 'givenName', 'middleName', 'honorificPrefix', 'honorificSuffix'] as const;
export type NamePart = (typeof NAME_PARTS)[number];
export type ScimName = Record<NamePart, string | null>;

export const NO_NAME: ScimName = { formatted: null, familyName: null, givenName: null, middleName: null, honorificPrefix: null, honorificSuffix: null };

/** What SCIM keeps of a user beside the owner's profile (table scim_users). */
export interface ScimUserAttributes {
  /** The client's id for the user: not unique (RFC 7643 §3.1), compared with case. */
  externalId: string | null;
  name: ScimName;
  /** The last change of these attributes or of the requested `active`; null when SCIM never wrote any. */
  updatedAt: Date | null;
}

/** A User resource as a client sends it in POST or PUT, reduced to what is kept. */
export interface ScimUserInput {
  userName: string;
  /** Complete, as PUT replaces the resource: null when absent. */
  externalId: string | null;
  active?: boolean;
  /** Complete: an absent attribute is null. */
  profile: Required<OwnerProfile>;
  /** Complete: an absent sub-attribute is null. */
  name: ScimName;
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
  const externalId = rawExternalId === undefined || rawExternalId === null ? null : scimString(rawExternalId, 'externalId', 256);
  const rawActive = member(body, 'active');
  const active = rawActive === undefined || rawActive === null ? undefined : scimBoolean(rawActive, 'active');

  const rawName = member(body, 'name');
  if (rawName !== undefined && rawName !== null && !isObject(rawName)) throw ScimError.invalidValue('name must be an object');
  const name = isObject(rawName) ? parseName(rawName) : NO_NAME;
  const rawDisplayName = member(body, 'displayName');
  const displayName =
    rawDisplayName === undefined || rawDisplayName === null
      ? ((isObject(rawName) ? formattedName(rawName) : undefined) ?? null)
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
    externalId,
    ...(active !== undefined ? { active } : {}),
    profile: {
      email,
      phone,
      displayName,
      managerId: manager === undefined ? null : managerId(manager),
      team: department === undefined || department === null || department === '' ? null : scimString(department, 'department', 200),
    },
    name,
  };
}

/** Every sub-attribute of a `name` object; those absent are null. */
export function parseName(name: Record<string, unknown>): ScimName {
  return Object.fromEntries(NAME_PARTS.map((part) => [part, namePart(member(name, part), part)])) as ScimName;
}

export function namePart(value: unknown, part: NamePart): string | null {
  if (value === undefined || value === null || value === '') return null;
  return scimString(value, `name.${part}`, 200);
}

/** name.formatted, else "givenName familyName": the owner's display name when the client sends none. */
export function formattedName(name: Record<string, unknown>): string | undefined {
  const formatted = member(name, 'formatted');
  if (typeof formatted === 'string' && formatted.trim()) return formatted.trim().slice(0, 200);
  const parts = [member(name, 'givenName'), member(name, 'familyName')].filter((p): p is string => typeof p === 'string' && p.trim() !== '');
  return parts.length ? parts.join(' ').slice(0, 200) : undefined;
}

export interface ScimUserResource {
  schemas: string[];
  id: string;
  externalId?: string;
  userName: string;
  name?: Partial<ScimName>;
  displayName?: string;
  active: boolean;
  emails?: Array<{ value: string; type: string; primary: boolean }>;
  phoneNumbers?: Array<{ value: string; type: string; primary: boolean }>;
  [SCIM_ENTERPRISE_USER_SCHEMA]?: { manager?: { value: string }; department?: string };
  meta: { resourceType: 'User'; created: string; lastModified: string; location: string; version: string };
}

/** Everything a User resource is made of. */
export interface ScimUserRecord {
  owner: Owner;
  attributes: ScimUserAttributes;
  /** The owner's status once the changes already reported are applied (LifecycleReporter.expectedStatus). */
  active: boolean;
}

/**
 * The userName a user shows: the one a SCIM client gave, else the owner's email (an owner registered with
 * POST /owners), else its id. Filters compare with exactly this (ScimUsersRepository.userNameSql).
 */
export function userNameOf(owner: Owner): string {
  return owner.identities.find((i) => i.source === SCIM_USERNAME_SOURCE)?.externalId ?? owner.email ?? owner.id;
}

/**
 * The owner as a SCIM User. `active` is what the owner will be once the lifecycle changes already reported
 * (this request's included) are applied, so a client reads back what it asked for at once.
 */
export function renderScimUser(record: ScimUserRecord, baseUrl: string): ScimUserResource {
  const { owner, attributes, active } = record;
  const enterprise = {
    ...(owner.managerId ? { manager: { value: owner.managerId } } : {}),
    ...(owner.team ? { department: owner.team } : {}),
  };
  // The name as the client gave it (a client that sent none sees none: displayName is the owner's name).
  const name = Object.fromEntries(NAME_PARTS.map((part) => [part, attributes.name[part]]).filter(([, value]) => value !== null)) as Partial<ScimName>;
  const lastModified = Math.max(owner.updatedAt.getTime(), owner.statusChangedAt?.getTime() ?? 0, attributes.updatedAt?.getTime() ?? 0);
  const resource: Omit<ScimUserResource, 'meta'> & { meta: Omit<ScimUserResource['meta'], 'version' | 'location'> } = {
    schemas: Object.keys(enterprise).length ? [SCIM_USER_SCHEMA, SCIM_ENTERPRISE_USER_SCHEMA] : [SCIM_USER_SCHEMA],
    id: owner.id,
    ...(attributes.externalId ? { externalId: attributes.externalId } : {}),
    userName: userNameOf(owner),
    ...(Object.keys(name).length ? { name } : {}),
    ...(owner.displayName ? { displayName: owner.displayName } : {}),
    active,
    ...(owner.email ? { emails: [{ value: owner.email, type: 'work', primary: true }] } : {}),
    ...(owner.phone ? { phoneNumbers: [{ value: owner.phone, type: 'work', primary: true }] } : {}),
    ...(Object.keys(enterprise).length ? { [SCIM_ENTERPRISE_USER_SCHEMA]: enterprise } : {}),
    meta: { resourceType: 'User', created: owner.createdAt.toISOString(), lastModified: new Date(lastModified).toISOString() },
  };
  return {
    ...resource,
    meta: {
      ...resource.meta,
      location: `${baseUrl}/scim/v2/Users/${encodeURIComponent(owner.id)}`,
      version: scimVersionOf(resource),
    },
  };
}

/** Whether an If-Match or If-None-Match header names this version: `*`, or one of its tags (weak comparison). */
export function versionMatches(header: string, version: string): boolean {
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header
    .split(',')
    .map((tag) => tag.trim())
    .some((tag) => tag === '*' || opaque(tag) === opaque(version));
}
