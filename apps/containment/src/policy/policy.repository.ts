import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

import { CONTAINMENT_SCHEMA } from '../database/containment.database';
import { ContainmentPolicy } from './containment-policy';

export interface PolicyVersion {
  version: number;
  policy: ContainmentPolicy;
  createdBy: string;
  reason: string;
  createdAt: string;
}

const TABLE = `"${CONTAINMENT_SCHEMA}"."policy_versions"`;

function versionOf(r: { version: number; policy: ContainmentPolicy; created_by: string; reason: string; created_at: Date }): PolicyVersion {
  return { version: r.version, policy: r.policy, createdBy: r.created_by, reason: r.reason, createdAt: new Date(r.created_at).toISOString() };
}

/**
 * Policy is versioned: a change adds a version and never edits one, so every incident can name the version
 * that decided it. The first version is the safe default the migration wrote.
 */
@Injectable()
export class PolicyRepository {
  constructor(private readonly dataSource: DataSource) {}

  async current(manager: EntityManager = this.dataSource.manager): Promise<PolicyVersion> {
    const [row] = await manager.query(`SELECT * FROM ${TABLE} ORDER BY "version" DESC LIMIT 1`);
    return versionOf(row);
  }

  async history(limit: number): Promise<PolicyVersion[]> {
    const rows = await this.dataSource.query(`SELECT * FROM ${TABLE} ORDER BY "version" DESC LIMIT $1`, [limit]);
    return rows.map(versionOf);
  }

  /** Serialises changes for the rest of the transaction, while readers still read the current version. */
  async lockForChange(tx: EntityManager): Promise<void> {
    await tx.query(`LOCK TABLE ${TABLE} IN SHARE ROW EXCLUSIVE MODE`);
  }

  async insert(tx: EntityManager, version: { version: number; policy: ContainmentPolicy; createdBy: string; reason: string }): Promise<PolicyVersion> {
    const [row] = await tx.query(`INSERT INTO ${TABLE} ("version", "policy", "created_by", "reason") VALUES ($1, $2, $3, $4) RETURNING *`, [
      version.version,
      version.policy,
      version.createdBy,
      version.reason,
    ]);
    return versionOf(row);
  }
}
