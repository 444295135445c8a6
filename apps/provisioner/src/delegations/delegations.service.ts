import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

import { AuditChain } from '@agentgov/audit-trail';

import { auditActor, Cause } from '../common/cause';
import { DelegationError, DelegationErrorCode } from './delegations.errors';
import { DelegationGrant, DelegationsRepository } from './delegations.repository';

/**
 * Explicit delegation grants: an agent outside another's parent chain that may act for it in token exchange. Each
 * grant and withdrawal is audited in its transaction. A withdrawal stops new exchanges at once; tokens already
 * exchanged under the grant live until they expire (revoke-tokens on the delegate ends them now).
 */
@Injectable()
export class DelegationsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: DelegationsRepository,
    private readonly audit: AuditChain,
  ) {}

  grant(agentId: string, delegateId: string, cause: Cause): Promise<DelegationGrant> {
    if (agentId === delegateId) throw new DelegationError(DelegationErrorCode.SelfDelegation, 'An agent always acts for itself; name another agent.');
    return this.dataSource.transaction(async (tx) => {
      const statuses = await this.repository.statuses(tx, [agentId, delegateId]);
      for (const id of [agentId, delegateId]) {
        const status = statuses.get(id);
        if (!status) throw new DelegationError(DelegationErrorCode.AgentNotFound, `No agent ${id}.`);
        if (status === 'deprovisioned') throw new DelegationError(DelegationErrorCode.AgentDeprovisioned, `The agent ${id} is deprovisioned.`);
      }
      const { grant, created } = await this.repository.grant(tx, agentId, delegateId, cause.actor ?? 'unknown');
      if (created) await this.record(tx, 'agent.delegation-granted', agentId, delegateId, cause);
      return grant;
    });
  }

  withdraw(agentId: string, delegateId: string, cause: Cause): Promise<void> {
    return this.dataSource.transaction(async (tx) => {
      if (!(await this.repository.withdraw(tx, agentId, delegateId))) {
        throw new DelegationError(DelegationErrorCode.GrantNotFound, `The agent ${delegateId} holds no grant to act for ${agentId}.`);
      }
      await this.record(tx, 'agent.delegation-withdrawn', agentId, delegateId, cause);
    });
  }

  private record(tx: EntityManager, action: string, agentId: string, delegateId: string, cause: Cause): Promise<void> {
    return this.audit.append(tx, [{ at: new Date(), ...auditActor(cause), action, subjectType: 'agent', subjectId: agentId, details: { delegateId } }]);
  }
}
