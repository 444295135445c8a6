import { OWNER_STATUSES } from '@agentgov/contracts';

/** Same rule as ownerId in identity.lifecycle.v1: printable ASCII without spaces. */
export const OWNER_ID = { type: 'string', minLength: 1, maxLength: 256, pattern: '^[\\x21-\\x7E]+$' } as const;
const TEXT = (maxLength: number) => ({ type: 'string', minLength: 1, maxLength }) as const;
const NULLABLE_TEXT = (maxLength: number) => ({ type: ['string', 'null'], minLength: 1, maxLength }) as const;
const EMAIL = { type: 'string', minLength: 3, maxLength: 320, pattern: '^[^\\s@]+@[^\\s@]+$' } as const;
const PHONE = { type: 'string', minLength: 3, maxLength: 40, pattern: '^(tel:)?\\+?[0-9][0-9 ()./-]*$' } as const;

export const IDENTITY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['source', 'externalId'],
  properties: { source: TEXT(256), externalId: TEXT(256) },
} as const;

const IDENTITIES = { type: 'array', maxItems: 50, items: IDENTITY_SCHEMA } as const;

export const CREATE_OWNER_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    id: OWNER_ID,
    email: EMAIL,
    phone: PHONE,
    displayName: TEXT(200),
    managerId: OWNER_ID,
    team: TEXT(200),
    identities: IDENTITIES,
  },
} as const;

export const UPDATE_OWNER_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    email: { anyOf: [EMAIL, { type: 'null' }] },
    phone: { anyOf: [PHONE, { type: 'null' }] },
    displayName: NULLABLE_TEXT(200),
    managerId: { anyOf: [OWNER_ID, { type: 'null' }] },
    team: NULLABLE_TEXT(200),
  },
} as const;

export const REPLACE_IDENTITIES_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['identities'],
  properties: { identities: IDENTITIES },
} as const;

export const LIST_OWNERS_QUERY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: [...OWNER_STATUSES] },
    limit: { type: 'string', pattern: '^(?:[1-9]|[1-9][0-9]|[1-4][0-9][0-9]|500)$' },
    cursor: { type: 'string', minLength: 1, maxLength: 1000 },
  },
} as const;

export const LIFECYCLE_EVENT_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['kind'],
  properties: {
    kind: { type: 'string', enum: ['owner.terminated', 'owner.suspended', 'owner.reinstated', 'owner.transferred'] },
    occurredAt: { type: 'string', format: 'date-time', maxLength: 64 },
    reason: TEXT(1000),
    newManagerId: OWNER_ID,
    newTeam: TEXT(200),
    source: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[a-z0-9][a-z0-9._-]*$' },
  },
} as const;
