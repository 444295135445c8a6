import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

import { RiskTier } from '@agentgov/contracts';
import { returnedRows } from '@agentgov/persistence';

import { Cause } from '../common/cause';
import { AgentChanges } from './agent-changes';
import { AGENT_COLUMNS, AgentLifecycleKind, AgentRecord, rowToAgent } from './agent-record';
import { RegistryError, RegistryErrorCode } from './agents.errors';
import { AgentsRepository } from './agents.repository';

export interface UpdateAgentCommand {
  agentId: string;
  name?: string;
  purpose?: string;
  riskTier?: RiskTier;
  scopes?: string[];
  expiresAt?: string | null;
  cause: Cause;
}

const T = `"provisioner"."agents"`;

/**
 * Changes an agent's attributes. Scopes stay within the parent's, and narrowing an agent narrows its whole
 * subtree (a sub-agent never holds what its parent lost); an earlier expiry is pulled down the subtree too.
 */
@Injectable()
export class UpdateAgentUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly agents: AgentsRepository,
    private readonly changes: AgentChanges,
  ) {}

  execute(command: UpdateAgentCommand): Promise<AgentRecord> {
    return this.dataSource.transaction((tx) => this.apply(tx, command));
  }

  /** The same change inside a transaction the caller holds (an event handler's inbox transaction). */
  async apply(tx: EntityManager, command: UpdateAgentCommand): Promise<AgentRecord> {
    const at = new Date();
    {
      const agent = await this.agents.findById(command.agentId, tx, true);
      if (!agent) throw new RegistryError(RegistryErrorCode.AgentNotFound, `no agent ${command.agentId}`);
      if (agent.status === 'deprovisioned') throw new RegistryError(RegistryErrorCode.AgentDeprovisioned, `agent ${agent.id} is deprovisioned`);
      const parent = agent.parentId ? await this.agents.findById(agent.parentId, tx) : undefined;
      const scopes = command.scopes ? [...new Set(command.scopes)] : agent.scopes;
      if (parent && command.scopes) {
        const extra = scopes.filter((s) => !parent.scopes.includes(s));
        if (extra.length) throw new RegistryError(RegistryErrorCode.ScopesExceedParent, `scopes not held by the parent: ${extra.join(' ')}`);
      }
      const expiresAt = command.expiresAt === undefined ? agent.expiresAt : command.expiresAt === null ? null : new Date(command.expiresAt);
      if (expiresAt && command.expiresAt && expiresAt <= at)
        throw new RegistryError(RegistryErrorCode.ExpiryInPast, `expiresAt ${command.expiresAt} is not in the future`);
      if (parent?.expiresAt && (!expiresAt || expiresAt > parent.expiresAt)) {
        throw new RegistryError(RegistryErrorCode.OutlivesParent, `the parent expires at ${parent.expiresAt.toISOString()}`);
      }
      const [row] = returnedRows(
        await tx.query(
          `UPDATE ${T} SET "name" = $2, "purpose" = $3, "risk_tier" = $4, "scopes" = $5, "expires_at" = $6, "updated_at" = now()
           WHERE "id" = $1 RETURNING ${AGENT_COLUMNS}`,
          [agent.id, command.name ?? agent.name, command.purpose ?? agent.purpose, command.riskTier ?? agent.riskTier, scopes, expiresAt],
        ),
      );
      const updated = rowToAgent(row);
      const widened = scopes.some((s) => !agent.scopes.includes(s));
      const narrowed = agent.scopes.some((s) => !scopes.includes(s));
      const kind: AgentLifecycleKind = widened || narrowed ? 'agent.scopes-changed' : 'agent.updated';
      await this.changes.announce(tx, [updated], kind, command.cause, at, { previousScopes: agent.scopes });
      const descendants = await this.trimSubtree(tx, agent.id, scopes, expiresAt);
      if (descendants.length) await this.changes.announce(tx, descendants, 'agent.scopes-changed', command.cause, at, { inheritedFrom: agent.id });
      return updated;
    }
  }

  /** Narrows descendants to the new scopes and expiry; returns those that changed. */
  private async trimSubtree(tx: EntityManager, rootId: string, scopes: string[], expiresAt: Date | null): Promise<AgentRecord[]> {
    const result = await tx.query(
      `WITH RECURSIVE tree AS (
         SELECT "id" FROM ${T} WHERE "parent_id" = $1
         UNION SELECT a."id" FROM ${T} a JOIN tree t ON a."parent_id" = t."id"
       )
       UPDATE ${T} SET
         "scopes" = ARRAY(SELECT s FROM unnest("scopes") s WHERE s = ANY($2::text[])),
         "expires_at" = CASE WHEN $3::timestamptz IS NOT NULL AND ("expires_at" IS NULL OR "expires_at" > $3) THEN $3 ELSE "expires_at" END,
         "updated_at" = now()
       WHERE "id" IN (SELECT "id" FROM tree) AND "status" <> 'deprovisioned'
         AND (NOT ("scopes" <@ $2::text[]) OR ($3::timestamptz IS NOT NULL AND ("expires_at" IS NULL OR "expires_at" > $3)))
       RETURNING ${AGENT_COLUMNS}`,
      [rootId, scopes, expiresAt],
    );
    return returnedRows(result).map(rowToAgent);
  }
}
