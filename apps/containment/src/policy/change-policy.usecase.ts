import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { AuditChain } from '@agentgov/audit-trail';

import { ContainmentPolicy, policyInconsistencies } from './containment-policy';
import { PolicyError, PolicyErrorCode } from './policy.errors';
import { PolicyRepository, PolicyVersion } from './policy.repository';

export interface ChangePolicyCommand {
  policy: ContainmentPolicy;
  /** Must be the current version: two admins editing at once cannot overwrite each other unseen. */
  basedOnVersion: number;
  actor: string;
  reason: string;
}

/** Adds a version of the policy (never edits one) and audits who changed it and why. */
@Injectable()
export class ChangePolicyUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly policies: PolicyRepository,
    private readonly audit: AuditChain,
  ) {}

  async execute({ policy, basedOnVersion, actor, reason }: ChangePolicyCommand): Promise<PolicyVersion> {
    const problems = policyInconsistencies(policy);
    if (problems.length > 0) throw new PolicyError(PolicyErrorCode.InvalidPolicy, problems.join('; '));
    return this.dataSource.transaction(async (tx) => {
      await this.policies.lockForChange(tx);
      const current = await this.policies.current(tx);
      if (current.version !== basedOnVersion) {
        throw new PolicyError(PolicyErrorCode.VersionConflict, `basedOnVersion is ${basedOnVersion} but the current version is ${current.version}`);
      }
      const created = await this.policies.insert(tx, { version: current.version + 1, policy, createdBy: actor, reason });
      await this.audit.append(tx, [
        {
          at: new Date(),
          actorType: 'api',
          actor,
          action: 'policy.changed',
          subjectType: 'policy',
          subjectId: String(current.version + 1),
          reason,
          details: { previousVersion: current.version },
        },
      ]);
      return created;
    });
  }
}
