import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

import { Owner, toOwner } from '../../owners/owner';
import { OwnersRepository } from '../../owners/owners.repository';
import { ScimUserFilter } from './scim-filter';
import { NAME_PARTS, NamePart, ScimName, ScimUserAttributes } from './scim-user';
import { SCIM_USERNAME_SOURCE } from './scim.constants';

const OWNERS = '"provisioner"."owners"';
const IDENTITIES = '"provisioner"."owner_identities"';
const SCIM_USERS = '"provisioner"."scim_users"';

/** scim_users column of each name sub-attribute. */
const NAME_COLUMNS: Record<NamePart, string> = {
  formatted: 'formatted_name',
  familyName: 'family_name',
  givenName: 'given_name',
  middleName: 'middle_name',
  honorificPrefix: 'honorific_prefix',
  honorificSuffix: 'honorific_suffix',
};

// Namespace of the advisory locks that serialize the claims of one userName (see lockUserName).
const USERNAME_LOCK_NAMESPACE = 7_1002;

/**
 * The userName a user shows (userNameOf in scim-user.ts), in SQL: the SCIM client's, else the owner's email,
 * else its id. `o` is the owners row.
 */
const USER_NAME_SQL = `COALESCE((SELECT i."external_id" FROM ${IDENTITIES} i WHERE i."owner_id" = o."id" AND i."source" = '${SCIM_USERNAME_SOURCE}' ORDER BY i."external_id" LIMIT 1), o."email", o."id")`;

export interface ScimUserRow {
  owner: Owner;
  attributes: ScimUserAttributes;
}

export interface ScimAttributeChanges {
  externalId?: string | null;
  name?: Partial<ScimName>;
}

/**
 * The SQL of the SCIM Users surface. A User is an owner (same id) plus what SCIM keeps beside it in scim_users:
 * the externalId, the name's parts, and whether the client deleted the user. A deleted user is gone for SCIM
 * (RFC 7644 §3.6) while the owner stays in the registry, terminated, with its agents' history and audit trail.
 */
@Injectable()
export class ScimUsersRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly directory: OwnersRepository,
  ) {}

  /** Owners and their SCIM attributes, in the order of `ids`; deleted users and unknown ids are left out. */
  async liveUsers(ids: string[], manager: EntityManager = this.dataSource.manager): Promise<ScimUserRow[]> {
    if (ids.length === 0) return [];
    const rows: Array<Record<string, any>> = await manager.query(
      `SELECT o.*, ${Object.values(NAME_COLUMNS)
        .map((c) => `s."${c}" AS "scim_${c}"`)
        .join(', ')}, s."external_id" AS "scim_external_id", s."updated_at" AS "scim_updated_at"
       FROM ${OWNERS} o LEFT JOIN ${SCIM_USERS} s ON s."owner_id" = o."id"
       WHERE o."id" = ANY($1::text[]) AND s."deleted_at" IS NULL`,
      [ids],
    );
    const identities = await this.directory.identitiesOf(
      rows.map((r) => r.id),
      manager,
    );
    const byId = new Map(rows.map((row) => [row.id as string, row]));
    return ids.flatMap((id) => {
      const row = byId.get(id);
      if (!row) return [];
      const name = Object.fromEntries(NAME_PARTS.map((part) => [part, row[`scim_${NAME_COLUMNS[part]}`] ?? null])) as ScimName;
      return [
        {
          owner: toOwner(row, identities.get(id) ?? []),
          attributes: { externalId: row.scim_external_id ?? null, name, updatedAt: row.scim_updated_at ? new Date(row.scim_updated_at) : null },
        },
      ];
    });
  }

  async liveUser(id: string, manager?: EntityManager): Promise<ScimUserRow | undefined> {
    const [row] = await this.liveUsers([id], manager);
    return row;
  }

  /** Locks the owner's row for the rest of the transaction; false when there is no such live user. */
  async lockLiveUser(tx: EntityManager, id: string): Promise<boolean> {
    const [row] = await tx.query(
      `SELECT o."id", s."deleted_at" FROM ${OWNERS} o LEFT JOIN ${SCIM_USERS} s ON s."owner_id" = o."id" WHERE o."id" = $1 FOR UPDATE OF o`,
      [id],
    );
    return Boolean(row) && !row.deleted_at;
  }

  /** One page of the live users the filter matches, ordered by id, and how many match in all. */
  async search(filter: ScimUserFilter | undefined, offset: number, limit: number): Promise<{ total: number; ids: string[] }> {
    const params: unknown[] = [];
    const where = `s."deleted_at" IS NULL${filter ? ` AND ${filterSql(filter, params)}` : ''}`;
    const from = `FROM ${OWNERS} o LEFT JOIN ${SCIM_USERS} s ON s."owner_id" = o."id" WHERE ${where}`;
    const [{ total }] = await this.dataSource.query(`SELECT count(*)::int AS "total" ${from}`, params);
    if (limit === 0 || offset >= total) return { total, ids: [] };
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `SELECT o."id" ${from} ORDER BY o."id" OFFSET $${params.length + 1} LIMIT $${params.length + 2}`,
      [...params, offset, limit],
    );
    return { total, ids: rows.map((r) => r.id) };
  }

  /**
   * Serializes, until the transaction ends, every request that claims this userName in any letter case, so that
   * two concurrent creates cannot both find it free.
   */
  async lockUserName(tx: EntityManager, userName: string): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock($1, hashtext(lower($2)))`, [USERNAME_LOCK_NAMESPACE, userName]);
  }

  /** Whether a live user other than `exceptOwner` shows this userName, compared without case. */
  async userNameTaken(tx: EntityManager, userName: string, exceptOwner?: string): Promise<boolean> {
    const params: unknown[] = [];
    const matches = filterSql({ op: 'eq', attribute: 'userName', value: userName }, params);
    const [taken] = await tx.query(
      `SELECT 1 FROM ${OWNERS} o LEFT JOIN ${SCIM_USERS} s ON s."owner_id" = o."id"
       WHERE s."deleted_at" IS NULL AND ${matches} AND ($${params.length + 1}::text IS NULL OR o."id" <> $${params.length + 1}) LIMIT 1`,
      [...params, exceptOwner ?? null],
    );
    return Boolean(taken);
  }

  /**
   * Writes the SCIM attributes given (undefined: unchanged) and returns those that differ from what was kept;
   * `touch` also marks the resource modified (a requested `active`), even when no attribute changed.
   */
  async saveAttributes(tx: EntityManager, ownerId: string, changes: ScimAttributeChanges, touch = false): Promise<ScimAttributeChanges> {
    const [current] = await tx.query(`SELECT * FROM ${SCIM_USERS} WHERE "owner_id" = $1 FOR UPDATE`, [ownerId]);
    const differs: ScimAttributeChanges = {};
    const columns: Record<string, string | null> = {};
    if (changes.externalId !== undefined && changes.externalId !== (current?.external_id ?? null)) {
      differs.externalId = changes.externalId;
      columns['external_id'] = changes.externalId;
    }
    for (const part of NAME_PARTS) {
      const value = changes.name?.[part];
      if (value === undefined || value === (current?.[NAME_COLUMNS[part]] ?? null)) continue;
      (differs.name ??= {})[part] = value;
      columns[NAME_COLUMNS[part]] = value;
    }
    if (Object.keys(columns).length === 0 && !touch) return differs;
    const names = Object.keys(columns);
    const values = Object.values(columns);
    await tx.query(
      `INSERT INTO ${SCIM_USERS} ("owner_id"${names.map((n) => `, "${n}"`).join('')}) VALUES ($1${names.map((_, i) => `, $${i + 2}`).join('')})
       ON CONFLICT ("owner_id") DO UPDATE SET ${[...names.map((n) => `"${n}" = EXCLUDED."${n}"`), `"updated_at" = now()`].join(', ')}`,
      [ownerId, ...values],
    );
    return differs;
  }

  /** The user is gone for SCIM from now on; the owner row and its history stay. */
  async markDeleted(tx: EntityManager, ownerId: string): Promise<void> {
    await tx.query(
      `INSERT INTO ${SCIM_USERS} ("owner_id", "deleted_at") VALUES ($1, now())
       ON CONFLICT ("owner_id") DO UPDATE SET "deleted_at" = now(), "updated_at" = now()`,
      [ownerId],
    );
  }
}

/**
 * A filter as a boolean SQL expression over the owners row `o` and its scim_users row `s`, its values bound as
 * parameters. Each comparison is false, never NULL, where the attribute is absent, so that `not (...)` selects
 * exactly the users the inner filter does not.
 */
export function filterSql(filter: ScimUserFilter, params: unknown[]): string {
  switch (filter.op) {
    case 'and':
    case 'or':
      return `(${filterSql(filter.left, params)} ${filter.op.toUpperCase()} ${filterSql(filter.right, params)})`;
    case 'not':
      return `(NOT ${filterSql(filter.filter, params)})`;
    case 'constant':
      return filter.value ? 'TRUE' : 'FALSE';
    case 'emailPresent':
      return `(o."email" IS NOT NULL)`;
    case 'eq': {
      const value = `$${params.push(filter.value)}`;
      if (filter.attribute === 'id') return `(o."id" = ${value})`;
      if (filter.attribute === 'externalId') return `(s."external_id" IS NOT NULL AND s."external_id" = ${value})`;
      if (filter.attribute === 'email') return `(o."email" IS NOT NULL AND lower(o."email") = lower(${value}))`;
      // The exact comparison, and beside it the indexed ways to the few candidates (a userName the client
      // gave, an email, an id) so that the database does not compute every owner's userName.
      return `(lower(${USER_NAME_SQL}) = lower(${value}) AND (
        o."id" = ANY(ARRAY(SELECT i."owner_id" FROM ${IDENTITIES} i WHERE i."source" = '${SCIM_USERNAME_SOURCE}' AND lower(i."external_id") = lower(${value})))
        OR (o."email" IS NOT NULL AND lower(o."email") = lower(${value}))
        OR (o."email" IS NULL AND lower(o."id") = lower(${value}))))`;
    }
  }
}
