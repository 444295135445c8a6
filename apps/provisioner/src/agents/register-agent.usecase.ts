import { randomUUID } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

import { RiskTier } from '@agentgov/contracts';

import { apiCause } from '../common/cause';
import { generateClientSecret, hashClientSecret } from '../credentials/client-secret';
import { AgentChanges } from './agent-changes';
import { AgentRecord } from './agent-record';
import { RegistryError, RegistryErrorCode } from './agents.errors';
import { AgentsRepository } from './agents.repository';

export const DELEGATION_MAX_DEPTH = Symbol('DELEGATION_MAX_DEPTH');

export interface RegisterAgentCommand {
  name: string;
  ownerId?: string;
  parentAgentId?: string;
  purpose: string;
  platform: string;
  riskTier: RiskTier;
  scopes: string[];
  expiresAt?: string;
  createdBy: string;
}

/**
 * Registers an agent or a sub-agent and issues its client secret (returned once, stored only as a hash).
 * A sub-agent's scopes are a subset of its parent's, it cannot outlive the parent, the tree has a bounded
 * depth, and its owner defaults to the parent's owner; an owner must be active to be given agents.
 */
@Injectable()
export class RegisterAgentUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly agents: AgentsRepository,
    private readonly changes: AgentChanges,
    @Inject(DELEGATION_MAX_DEPTH) private readonly maxDepth: number,
  ) {}

  async execute(command: RegisterAgentCommand): Promise<{ agent: AgentRecord; clientSecret: string }> {
    const clientSecret = generateClientSecret();
    const clientSecretHash = await hashClientSecret(clientSecret);
    const agent = await this.dataSource.transaction((tx) => this.registerIn(tx, command, clientSecretHash));
    return { agent, clientSecret };
  }

  /**
   * The same registration inside a transaction the caller holds (SCIM keeps its own attributes of the agent in
   * the same commit); the caller issues the secret and passes only its hash.
   */
  async registerIn(tx: EntityManager, command: RegisterAgentCommand, clientSecretHash: string): Promise<AgentRecord> {
    const now = new Date();
    const expiresAt = command.expiresAt ? new Date(command.expiresAt) : null;
    if (expiresAt && expiresAt <= now) {
      throw new RegistryError(RegistryErrorCode.ExpiryInPast, `expiresAt ${command.expiresAt} is not in the future`);
    }
    {
      // Locking the parent row keeps a concurrent suspension or narrowing of the parent from racing the checks.
      const parent = command.parentAgentId ? await this.agents.findById(command.parentAgentId, tx, true) : undefined;
      if (command.parentAgentId && !parent) {
        throw new RegistryError(RegistryErrorCode.ParentNotFound, `no agent ${command.parentAgentId}`);
      }
      const ownerId = command.ownerId ?? parent?.ownerId;
      if (!ownerId) throw new RegistryError(RegistryErrorCode.OwnerNotFound, 'ownerId is required for a top-level agent');
      const [owner] = await tx.query(`SELECT "status" FROM "provisioner"."owners" WHERE "id" = $1 FOR SHARE`, [ownerId]);
      if (!owner) throw new RegistryError(RegistryErrorCode.OwnerNotFound, `no owner ${ownerId}`);
      if (owner.status !== 'active') throw new RegistryError(RegistryErrorCode.OwnerNotActive, `owner ${ownerId} is ${owner.status}`);
      if (parent) {
        if (parent.status !== 'active') {
          throw new RegistryError(RegistryErrorCode.ParentNotActive, `parent agent ${parent.id} is ${parent.status}`);
        }
        const extra = command.scopes.filter((s) => !parent.scopes.includes(s));
        if (extra.length > 0) {
          throw new RegistryError(RegistryErrorCode.ScopesExceedParent, `scopes not held by the parent: ${extra.join(' ')}`);
        }
        if (parent.expiresAt && (!expiresAt || expiresAt > parent.expiresAt)) {
          throw new RegistryError(
            RegistryErrorCode.OutlivesParent,
            `the parent expires at ${parent.expiresAt.toISOString()}; the sub-agent needs an expiresAt no later than that`,
          );
        }
        if (parent.depth + 1 > this.maxDepth) {
          throw new RegistryError(
            RegistryErrorCode.DelegationTooDeep,
            `a sub-agent of ${parent.id} would be at depth ${parent.depth + 1}; the limit is ${this.maxDepth}`,
          );
        }
      }
      const created = await this.agents.insert(tx, {
        id: randomUUID(),
        name: command.name,
        ownerId,
        parentId: parent?.id ?? null,
        depth: parent ? parent.depth + 1 : 0,
        purpose: command.purpose,
        platform: command.platform,
        riskTier: command.riskTier,
        scopes: [...new Set(command.scopes)],
        createdBy: command.createdBy,
        expiresAt,
        clientSecretHash,
      });
      await this.changes.announce(tx, [created], 'agent.registered', apiCause(command.createdBy), now);
      return created;
    }
  }
}
