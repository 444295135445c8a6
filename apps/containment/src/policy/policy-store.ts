import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

import { DomainError } from '@agentgov/service-runtime';

import { AuditLog } from '../audit/audit-log';
import { CONTAINMENT_SCHEMA } from '../database/containment.database';
import { ContainmentPolicy, policyInconsistencies } from './containment-policy';

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
export class PolicyStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditLog,
  ) {}

  async current(manager: EntityManager = this.dataSource.manager): Promise<PolicyVersion> {
    const [row] = await manager.query(`SELECT * FROM ${TABLE} ORDER BY "version" DESC LIMIT 1`);
    return versionOf(row);
  }

  async history(limit: number): Promise<PolicyVersion[]> {
    const rows = await this.dataSource.query(`SELECT * FROM ${TABLE} ORDER BY "version" DESC LIMIT $1`, [limit]);
    return rows.map(versionOf);
  }

  /** `basedOn` must be the current version: two admins editing at once cannot overwrite each other unseen. */
  async change(policy: ContainmentPolicy, basedOn: number, actor: string, reason: string): Promise<PolicyVersion> {
    const problems = policyInconsistencies(policy);
    if (problems.length > 0) {
      throw new DomainError({ code: 'INVALID_POLICY', status: 422, title: 'The policy is not consistent', detail: problems.join('; ') });
    }
    return this.dataSource.transaction(async (tx) => {
      await tx.query(`LOCK TABLE ${TABLE} IN SHARE ROW EXCLUSIVE MODE`);
      const current = await this.current(tx);
      if (current.version !== basedOn) {
        throw new DomainError({
          code: 'POLICY_VERSION_CONFLICT',
          status: 409,
          title: 'The policy changed since it was read',
          detail: `basedOnVersion is ${basedOn} but the current version is ${current.version}`,
        });
      }
      const [row] = await tx.query(`INSERT INTO ${TABLE} ("version", "policy", "created_by", "reason") VALUES ($1, $2, $3, $4) RETURNING *`, [
        current.version + 1,
        policy,
        actor,
        reason,
      ]);
      await this.audit.append(tx, {
        at: new Date(),
        actor,
        action: 'policy.changed',
        subjectType: 'policy',
        subjectId: String(current.version + 1),
        reason,
        details: { previousVersion: current.version },
      });
      return versionOf(row);
    });
  }
}
