import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

import { AGENT_COLUMNS, rowToAgent } from '../../agents/agent-record';
import { isUuid, ScimAgentRecord } from './scim-agent';
import { ScimAgentFilter } from './scim-agent-filter';

const AGENTS = '"provisioner"."agents"';
const OWNERS = '"provisioner"."owners"';
const SCIM_AGENTS = '"provisioner"."scim_agents"';

// Namespace of the advisory locks that serialize the claims of one agentUserName (see lockAgentUserName); the
// Users' userName locks are 7_1002.
const AGENT_USERNAME_LOCK_NAMESPACE = 7_1003;

/** The registry's columns of `a`, never the secret hash (AGENT_COLUMNS). */
const AGENT_COLUMNS_OF_A = AGENT_COLUMNS.split(',')
  .map((column) => `a.${column.trim()}`)
  .join(', ');

export interface ScimAgentAttributeChanges {
  /** undefined: unchanged; null: removed. */
  agentUserName?: string | null;
  externalId?: string | null;
}

/**
 * The SQL of the SCIM Agents surface. An Agent is a registry agent (same id) plus what SCIM keeps beside it in
 * scim_agents: the agentUserName, the externalId, and whether the client deleted it. A deleted agent is gone for
 * SCIM (RFC 7644 §3.6) while the registry keeps it, deprovisioned, with its history and audit trail.
 */
@Injectable()
export class ScimAgentsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Agents with their SCIM attributes and owner's name, in the order of `ids`; deleted agents and unknown ids are left out. */
  async liveAgents(ids: string[], manager: EntityManager = this.dataSource.manager): Promise<ScimAgentRecord[]> {
    const uuids = ids.filter(isUuid);
    if (uuids.length === 0) return [];
    const rows: Array<Record<string, any>> = await manager.query(
      `SELECT ${AGENT_COLUMNS_OF_A}, s."agent_user_name" AS "scim_agent_user_name", s."external_id" AS "scim_external_id",
         s."updated_at" AS "scim_updated_at", o."display_name" AS "owner_display_name"
       FROM ${AGENTS} a LEFT JOIN ${SCIM_AGENTS} s ON s."agent_id" = a."id" LEFT JOIN ${OWNERS} o ON o."id" = a."owner_id"
       WHERE a."id" = ANY($1::uuid[]) AND s."deleted_at" IS NULL`,
      [uuids],
    );
    const byId = new Map(rows.map((row) => [row.id as string, row]));
    return uuids.flatMap((id) => {
      const row = byId.get(id.toLowerCase());
      if (!row) return [];
      return [
        {
          agent: rowToAgent(row),
          attributes: {
            agentUserName: row.scim_agent_user_name ?? null,
            externalId: row.scim_external_id ?? null,
            updatedAt: row.scim_updated_at ? new Date(row.scim_updated_at) : null,
          },
          ownerDisplayName: row.owner_display_name ?? null,
        },
      ];
    });
  }

  async liveAgent(id: string, manager?: EntityManager): Promise<ScimAgentRecord | undefined> {
    const [row] = await this.liveAgents([id], manager);
    return row;
  }

  /** Locks the agent's row for the rest of the transaction; false when there is no such live agent. */
  async lockLiveAgent(tx: EntityManager, id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    const [row] = await tx.query(
      `SELECT a."id", s."deleted_at" FROM ${AGENTS} a LEFT JOIN ${SCIM_AGENTS} s ON s."agent_id" = a."id" WHERE a."id" = $1 FOR UPDATE OF a`,
      [id],
    );
    return Boolean(row) && !row.deleted_at;
  }

  /**
   * Holds the owner's row (as the registry does when it registers an agent) so that a lifecycle change of the
   * owner cannot commit between the check of the owner and the agent's change.
   */
  async lockOwner(tx: EntityManager, ownerId: string): Promise<void> {
    await tx.query(`SELECT 1 FROM ${OWNERS} WHERE "id" = $1 FOR SHARE`, [ownerId]);
  }

  /** One page of the live agents the filter matches, ordered by id, and how many match in all. */
  async search(filter: ScimAgentFilter | undefined, offset: number, limit: number): Promise<{ total: number; ids: string[] }> {
    const params: unknown[] = [];
    const where = `s."deleted_at" IS NULL${filter ? ` AND ${agentFilterSql(filter, params)}` : ''}`;
    const from = `FROM ${AGENTS} a LEFT JOIN ${SCIM_AGENTS} s ON s."agent_id" = a."id" WHERE ${where}`;
    const [{ total }] = await this.dataSource.query(`SELECT count(*)::int AS "total" ${from}`, params);
    if (limit === 0 || offset >= total) return { total, ids: [] };
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `SELECT a."id" ${from} ORDER BY a."id" OFFSET $${params.length + 1} LIMIT $${params.length + 2}`,
      [...params, offset, limit],
    );
    return { total, ids: rows.map((r) => r.id) };
  }

  /**
   * Serializes, until the transaction ends, every request that claims this agentUserName in any letter case, so
   * that two concurrent creates cannot both find it free.
   */
  async lockAgentUserName(tx: EntityManager, agentUserName: string): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock($1, hashtext(lower($2)))`, [AGENT_USERNAME_LOCK_NAMESPACE, agentUserName]);
  }

  /** Whether a live agent other than `exceptAgent` shows this agentUserName, compared without case. */
  async agentUserNameTaken(tx: EntityManager, agentUserName: string, exceptAgent?: string): Promise<boolean> {
    const params: unknown[] = [];
    const matches = agentFilterSql({ op: 'eq', attribute: 'agentUserName', value: agentUserName }, params);
    const [taken] = await tx.query(
      `SELECT 1 FROM ${AGENTS} a LEFT JOIN ${SCIM_AGENTS} s ON s."agent_id" = a."id"
       WHERE s."deleted_at" IS NULL AND ${matches} AND ($${params.length + 1}::uuid IS NULL OR a."id" <> $${params.length + 1}) LIMIT 1`,
      [...params, exceptAgent ?? null],
    );
    return Boolean(taken);
  }

  /**
   * Writes the SCIM attributes given (undefined: unchanged) and returns those that differ from what was kept;
   * `touch` also marks the resource modified even when no attribute changed.
   */
  async saveAttributes(tx: EntityManager, agentId: string, changes: ScimAgentAttributeChanges, touch = false): Promise<ScimAgentAttributeChanges> {
    const [current] = await tx.query(`SELECT * FROM ${SCIM_AGENTS} WHERE "agent_id" = $1 FOR UPDATE`, [agentId]);
    const differs: ScimAgentAttributeChanges = {};
    const columns: Record<string, string | null> = {};
    if (changes.agentUserName !== undefined && changes.agentUserName !== (current?.agent_user_name ?? null)) {
      differs.agentUserName = changes.agentUserName;
      columns['agent_user_name'] = changes.agentUserName;
    }
    if (changes.externalId !== undefined && changes.externalId !== (current?.external_id ?? null)) {
      differs.externalId = changes.externalId;
      columns['external_id'] = changes.externalId;
    }
    if (Object.keys(columns).length === 0 && !touch && current) return differs;
    const names = Object.keys(columns);
    const values = Object.values(columns);
    await tx.query(
      `INSERT INTO ${SCIM_AGENTS} ("agent_id"${names.map((n) => `, "${n}"`).join('')}) VALUES ($1${names.map((_, i) => `, $${i + 2}`).join('')})
       ON CONFLICT ("agent_id") DO UPDATE SET ${[...names.map((n) => `"${n}" = EXCLUDED."${n}"`), `"updated_at" = now()`].join(', ')}`,
      [agentId, ...values],
    );
    return differs;
  }

  /** The agent is gone for SCIM from now on; the registry's agent and its history stay. */
  async markDeleted(tx: EntityManager, agentId: string): Promise<void> {
    await tx.query(
      `INSERT INTO ${SCIM_AGENTS} ("agent_id", "deleted_at") VALUES ($1, now())
       ON CONFLICT ("agent_id") DO UPDATE SET "deleted_at" = now(), "updated_at" = now()`,
      [agentId],
    );
  }
}

/**
 * A filter as a boolean SQL expression over the agents row `a` and its scim_agents row `s`, its values bound as
 * parameters. Each comparison is false, never NULL, where the attribute is absent, so that `not (...)` selects
 * exactly the agents the inner filter does not.
 */
export function agentFilterSql(filter: ScimAgentFilter, params: unknown[]): string {
  switch (filter.op) {
    case 'and':
    case 'or':
      return `(${agentFilterSql(filter.left, params)} ${filter.op.toUpperCase()} ${agentFilterSql(filter.right, params)})`;
    case 'not':
      return `(NOT ${agentFilterSql(filter.filter, params)})`;
    case 'constant':
      return filter.value ? 'TRUE' : 'FALSE';
    case 'eq': {
      if (filter.attribute === 'id') return isUuid(filter.value) ? `(a."id" = $${params.push(filter.value)}::uuid)` : 'FALSE';
      const value = `$${params.push(filter.value)}`;
      if (filter.attribute === 'displayName') return `(lower(a."name") = lower(${value}))`;
      if (filter.attribute === 'externalId') return `(s."external_id" IS NOT NULL AND s."external_id" = ${value})`;
      if (filter.attribute === 'owner') return `(a."owner_id" = ${value})`;
      // agentUserName: the client's, else the agent's id (agentUserNameOf), without case.
      const byId = isUuid(filter.value) ? ` OR (s."agent_user_name" IS NULL AND a."id" = ${value}::uuid)` : '';
      return `((s."agent_user_name" IS NOT NULL AND lower(s."agent_user_name") = lower(${value}))${byId})`;
    }
  }
}
