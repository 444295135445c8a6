import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

import { returnedRows } from '@agentgov/persistence';

const GRANTS = '"provisioner"."delegation_grants"';
const AGENTS = '"provisioner"."agents"';
/** Deeper than any delegation tree the registry allows; bounds the walk if the data were ever cyclic. */
const MAX_DEPTH = 64;

export interface DelegationGrant {
  agentId: string;
  delegateId: string;
  createdBy: string;
  createdAt: Date;
}

function rowToGrant(row: Record<string, any>): DelegationGrant {
  return { agentId: row.agent_id, delegateId: row.delegate_id, createdBy: row.created_by, createdAt: row.created_at };
}

/** Who may act for whom (the registry's may_act rule), and the explicit grants beside the delegation tree. */
@Injectable()
export class DelegationsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * The registry's may_act rule (RFC 8693 §4.4): `delegateId` may act for `agentId` when it is one of its sub-agents,
   * at any depth (a sub-agent acts for its parent chain), or when an administrator granted it explicitly.
   */
  async mayActFor(delegateId: string, agentId: string): Promise<boolean> {
    const [row] = await this.dataSource.query(
      `WITH RECURSIVE "up" ("id", "parent_id", "level") AS (
         SELECT "id", "parent_id", 0 FROM ${AGENTS} WHERE "id" = $1
         UNION ALL
         SELECT a."id", a."parent_id", u."level" + 1 FROM ${AGENTS} a JOIN "up" u ON a."id" = u."parent_id" WHERE u."level" < $3
       )
       SELECT EXISTS (SELECT 1 FROM "up" WHERE "id" = $2 AND "level" > 0)
           OR EXISTS (SELECT 1 FROM ${GRANTS} WHERE "agent_id" = $2 AND "delegate_id" = $1) AS "may"`,
      [delegateId, agentId, MAX_DEPTH],
    );
    return row?.may === true;
  }

  async grantsOf(agentId: string): Promise<DelegationGrant[]> {
    const rows = await this.dataSource.query(`SELECT * FROM ${GRANTS} WHERE "agent_id" = $1 ORDER BY "created_at", "delegate_id"`, [agentId]);
    return rows.map(rowToGrant);
  }

  /** The grant, new or already there (then `created` is false). */
  async grant(tx: EntityManager, agentId: string, delegateId: string, createdBy: string): Promise<{ grant: DelegationGrant; created: boolean }> {
    const inserted = returnedRows(
      await tx.query(`INSERT INTO ${GRANTS} ("agent_id", "delegate_id", "created_by") VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING *`, [
        agentId,
        delegateId,
        createdBy,
      ]),
    );
    if (inserted.length > 0) return { grant: rowToGrant(inserted[0]), created: true };
    const [row] = await tx.query(`SELECT * FROM ${GRANTS} WHERE "agent_id" = $1 AND "delegate_id" = $2`, [agentId, delegateId]);
    return { grant: rowToGrant(row), created: false };
  }

  async withdraw(tx: EntityManager, agentId: string, delegateId: string): Promise<boolean> {
    const deleted = await tx.query(`DELETE FROM ${GRANTS} WHERE "agent_id" = $1 AND "delegate_id" = $2 RETURNING "delegate_id"`, [agentId, delegateId]);
    return returnedRows(deleted).length > 0;
  }

  /** The agents' status, for the ones that exist. */
  async statuses(tx: EntityManager, ids: readonly string[]): Promise<Map<string, string>> {
    const rows: Array<{ id: string; status: string }> = await tx.query(`SELECT "id", "status" FROM ${AGENTS} WHERE "id" = ANY($1::uuid[]) FOR SHARE`, [ids]);
    return new Map(rows.map((r) => [r.id, r.status]));
  }
}
