import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

import { AuditChain } from '@agentgov/audit-trail';
import { RiskTier } from '@agentgov/contracts';

import { AgentChanges } from '../../agents/agent-changes';
import { AgentRecord } from '../../agents/agent-record';
import { RegistryError, RegistryErrorCode } from '../../agents/agents.errors';
import { AgentsRepository } from '../../agents/agents.repository';
import { RegisterAgentUseCase } from '../../agents/register-agent.usecase';
import { UpdateAgentCommand, UpdateAgentUseCase } from '../../agents/update-agent.usecase';
import { apiCause, auditActor } from '../../common/cause';
import { generateClientSecret, hashClientSecret } from '../../credentials/client-secret';
import { containedCause } from '../../lifecycle/agent-decisions.usecase';
import { ownerSuspendedCause, ownerTerminatedCause } from '../../lifecycle/owner-lifecycle.usecase';
import { LifecycleReporter } from '../../owners/lifecycle-reporter';
import {
  agentUserNameOf,
  renderScimAgent,
  SCIM_AGENT_DEFAULT_PLATFORM,
  SCIM_AGENT_DEFAULT_RISK_TIER,
  SCIM_AGENT_NO_DESCRIPTION,
  ScimAgentInput,
  ScimAgentRecord,
  ScimAgentResource,
  selectAgentAttributes,
} from './scim-agent';
import { ScimAgentFilter } from './scim-agent-filter';
import { applyScopeOperations, resolveOwner, ScimAgentChanges } from './scim-agent-patch';
import { ScimAgentAttributeChanges, ScimAgentsRepository } from './scim-agents.repository';
import { ScimAttributeSelection } from './scim-attribute-selection';
import { versionMatches } from './scim-user';
import { ScimUsersRepository } from './scim-users.repository';
import { ScimCaller, ScimListResponse, ScimRequestOptions } from './scim-users.service';
import { SCIM_LIST_RESPONSE_SCHEMA } from './scim.constants';
import { ScimError, ScimNotModified } from './scim.errors';

/** An Agent to answer with: as the client asked to see it, and its version for the ETag header. */
export interface ScimAgentAnswer {
  resource: Record<string, unknown>;
  version: string;
  location: string;
}

export const SCIM_AGENT_ATTRIBUTES_CHANGED_ACTION = 'agent.scim-attributes-changed';
export const SCIM_AGENT_DELETED_ACTION = 'agent.scim-agent-deleted';

/** The status cause of the agents a SCIM client's `active: false` on this agent suspended (it and its sub-agents). */
export function scimDeactivatedCause(agentId: string): string {
  return `scim-deactivated:${agentId}`;
}

/** What a PUT or PATCH asks, in the registry's terms; undefined: not asserted, left as it is. */
interface AgentChangeSet {
  agentUserName?: string | null;
  externalId?: string | null;
  name?: string;
  purpose?: string;
  riskTier?: RiskTier;
  scopes?: string[];
  expiresAt?: string | null;
  platform?: string;
  parentId?: string | null;
  ownerId?: string;
  active?: boolean;
}

/**
 * SCIM Agents (draft-wzdk-scim-agent-resource-00) over the agent registry. Every change goes through the
 * registry's own use cases inside one transaction with what SCIM keeps beside the agent, so the registry's rules
 * hold whoever asks (an active accountable owner; a sub-agent's scopes within its parent's, no later expiry than
 * the parent, a bounded depth), each change is audited and announced as agent.lifecycle.v1, and a refusal leaves
 * nothing changed. `active` false suspends the agent and its sub-agents; true lifts only that suspension; DELETE
 * deprovisions them and the agent is gone for SCIM.
 */
@Injectable()
export class ScimAgentsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly agents: ScimAgentsRepository,
    private readonly users: ScimUsersRepository,
    private readonly registry: AgentsRepository,
    private readonly register: RegisterAgentUseCase,
    private readonly update: UpdateAgentUseCase,
    private readonly changes: AgentChanges,
    private readonly reporter: LifecycleReporter,
    private readonly audit: AuditChain,
  ) {}

  async get(id: string, options: ScimRequestOptions, caller: ScimCaller): Promise<ScimAgentAnswer> {
    const record = await this.agents.liveAgent(id);
    if (!record) throw ScimError.notFound();
    const resource = renderScimAgent(record, caller.baseUrl);
    if (options.ifNoneMatch && versionMatches(options.ifNoneMatch, resource.meta.version)) throw new ScimNotModified(resource.meta.version);
    return answer(resource, options.selection);
  }

  async list(
    filter: ScimAgentFilter | undefined,
    startIndex: number,
    count: number,
    selection: ScimAttributeSelection,
    caller: ScimCaller,
  ): Promise<ScimListResponse> {
    const { total, ids } = await this.agents.search(filter, startIndex - 1, count);
    const records = await this.agents.liveAgents(ids);
    return {
      schemas: [SCIM_LIST_RESPONSE_SCHEMA],
      totalResults: total,
      startIndex,
      itemsPerPage: records.length,
      Resources: records.map((record) => selectAgentAttributes(renderScimAgent(record, caller.baseUrl), selection)),
    };
  }

  /** A new agent in the registry (RFC 7644 §3.3), even when a deleted agent had the same agentUserName or externalId. */
  create(input: ScimAgentInput, options: ScimRequestOptions, caller: ScimCaller): Promise<ScimAgentAnswer> {
    return this.dataSource.transaction(async (tx) => {
      if (input.agentUserName !== null) await this.claimAgentUserName(tx, input.agentUserName);
      const parentId = input.extension.parentId ?? undefined;
      // A sub-agent's owner defaults to its parent's (the registry's rule); any other agent needs its owner named.
      if (input.ownerId === undefined && !parentId) {
        throw ScimError.invalidValue('owners is required: every agent has an accountable owner, a User of this service provider');
      }
      if (input.ownerId !== undefined) await this.requireActiveOwner(tx, input.ownerId);
      const agent = await this.register.registerIn(
        tx,
        {
          name: input.displayName ?? (input.agentUserName as string),
          ownerId: input.ownerId,
          parentAgentId: parentId,
          purpose: input.description ?? SCIM_AGENT_NO_DESCRIPTION,
          platform: input.extension.platform ?? SCIM_AGENT_DEFAULT_PLATFORM,
          riskTier: input.extension.riskTier ?? SCIM_AGENT_DEFAULT_RISK_TIER,
          scopes: input.extension.scopes ?? [],
          ...(input.extension.expiresAt ? { expiresAt: input.extension.expiresAt } : {}),
          createdBy: caller.subject,
        },
        // The registry issues a client secret to every agent it registers. SCIM never returns one (an agent
        // provisioned by an IdP authenticates with the identity that IdP issues it), so this one is generated and
        // hashed in one expression, and nothing holds it: the agent has no usable secret until an administrator
        // issues one with POST /agents/{id}/rotate-secret.
        await hashClientSecret(generateClientSecret()),
      );
      if (input.ownerId === undefined) await this.requireActiveOwner(tx, agent.ownerId);
      await this.saveAttributes(tx, agent.id, { agentUserName: input.agentUserName, externalId: input.externalId }, caller, true);
      if (input.active === false) await this.setActive(tx, agent, false, caller);
      return this.answerIn(tx, agent.id, options, caller);
    });
  }

  /**
   * PUT (RFC 7644 §3.5.1): the core attributes are replaced (absent ones cleared); our extension's attributes, owners
   * and active that the client leaves out are "not asserted" and stay as they are, so an IdP that knows nothing of
   * the registry's risk tier or scopes does not reset them on each update.
   */
  replace(id: string, input: ScimAgentInput, options: ScimRequestOptions, caller: ScimCaller): Promise<ScimAgentAnswer> {
    return this.withLiveAgent(id, options, caller, async (tx, record) => {
      const { riskTier, scopes, platform, expiresAt, parentId } = input.extension;
      await this.apply(
        tx,
        record,
        {
          agentUserName: input.agentUserName,
          externalId: input.externalId,
          name: input.displayName ?? (input.agentUserName as string),
          purpose: input.description ?? SCIM_AGENT_NO_DESCRIPTION,
          ...(riskTier !== undefined ? { riskTier } : {}),
          ...(scopes !== undefined ? { scopes } : {}),
          ...(platform !== undefined ? { platform } : {}),
          ...(expiresAt !== undefined ? { expiresAt } : {}),
          ...(parentId !== undefined ? { parentId } : {}),
          ...(input.ownerId !== undefined ? { ownerId: input.ownerId } : {}),
          ...(input.active !== undefined ? { active: input.active } : {}),
        },
        caller,
      );
      return this.answerIn(tx, record.agent.id, options, caller);
    });
  }

  patch(id: string, changes: ScimAgentChanges, options: ScimRequestOptions, caller: ScimCaller): Promise<ScimAgentAnswer> {
    return this.withLiveAgent(id, options, caller, async (tx, record) => {
      const { agent, attributes } = record;
      const agentUserName = changes.agentUserName !== undefined ? changes.agentUserName : attributes.agentUserName;
      // The registry's name is the displayName, else the agentUserName: removing the displayName names the agent by it.
      let name: string | undefined;
      if (changes.displayName === null) {
        if (agentUserName === null)
          throw ScimError.invalidValue('displayName cannot be removed from an agent without an agentUserName: every agent has a name');
        name = agentUserName;
      } else if (changes.displayName !== undefined) {
        name = changes.displayName;
      }
      await this.apply(
        tx,
        record,
        {
          ...(changes.agentUserName !== undefined ? { agentUserName: changes.agentUserName } : {}),
          ...(changes.externalId !== undefined ? { externalId: changes.externalId } : {}),
          ...(name !== undefined ? { name } : {}),
          ...(changes.description !== undefined ? { purpose: changes.description ?? SCIM_AGENT_NO_DESCRIPTION } : {}),
          ...(changes.riskTier !== undefined ? { riskTier: changes.riskTier } : {}),
          ...(changes.scopes.length ? { scopes: applyScopeOperations(agent.scopes, changes.scopes) } : {}),
          ...(changes.expiresAt !== undefined ? { expiresAt: changes.expiresAt } : {}),
          ...(changes.platform !== undefined ? { platform: changes.platform } : {}),
          ...(changes.parentId !== undefined ? { parentId: changes.parentId } : {}),
          ...(changes.owners.length ? { ownerId: resolveOwner(agent.ownerId, changes.owners) } : {}),
          ...(changes.active !== undefined ? { active: changes.active } : {}),
        },
        caller,
      );
      return this.answerIn(tx, agent.id, options, caller);
    });
  }

  /**
   * RFC 7644 §3.6: the agent is gone for SCIM (404 from now on, absent from lists, its agentUserName free), and to
   * the registry the deletion is its deprovisioning, with its sub-agents', announced like any other. The registry
   * keeps the agent, deprovisioned, with its audit trail.
   */
  async delete(id: string, options: Pick<ScimRequestOptions, 'ifMatch'>, caller: ScimCaller): Promise<void> {
    await this.withLiveAgent(id, { selection: {}, ...options }, caller, async (tx, record) => {
      const cause = apiCause(caller.subject);
      const at = new Date();
      if (record.agent.status !== 'deprovisioned') {
        await this.changes.changeStatus(tx, {
          select: { agentIds: [record.agent.id] },
          includeDescendants: true,
          to: 'deprovisioned',
          reason: `SCIM DELETE of the agent by ${caller.subject}`,
          cause,
          at,
        });
      }
      await this.agents.markDeleted(tx, record.agent.id);
      await this.audit.append(tx, [
        {
          at,
          ...auditActor(cause),
          action: SCIM_AGENT_DELETED_ACTION,
          subjectType: 'agent',
          subjectId: record.agent.id,
          details: { agentUserName: agentUserNameOf(record), externalId: record.attributes.externalId, scimClient: caller.subject },
        },
      ]);
    });
  }

  /** The changes of a PUT or PATCH, each through the registry's use case for it, in this order. */
  private async apply(tx: EntityManager, record: ScimAgentRecord, set: AgentChangeSet, caller: ScimCaller): Promise<void> {
    const { agent } = record;
    const cause = apiCause(caller.subject);
    // RFC 7644 §3.5.1: an immutable attribute's value must match the one it has (400 mutability).
    if (set.platform !== undefined && set.platform !== agent.platform) {
      throw new ScimError(400, 'platform is immutable: it is set when the agent is created', 'mutability');
    }
    if (set.parentId !== undefined && set.parentId !== agent.parentId) {
      throw new ScimError(400, 'parent is immutable: a sub-agent stays under the agent it was registered under', 'mutability');
    }
    if (set.agentUserName && set.agentUserName !== record.attributes.agentUserName) await this.claimAgentUserName(tx, set.agentUserName, agent.id);

    let current: AgentRecord = agent;
    if (set.ownerId !== undefined && set.ownerId !== current.ownerId) {
      if (current.status === 'deprovisioned') throw new RegistryError(RegistryErrorCode.AgentDeprovisioned, `agent ${current.id} is deprovisioned`);
      await this.requireActiveOwner(tx, set.ownerId);
      [current] = await this.changes.reassign(tx, [agent.id], set.ownerId, `owner changed by SCIM client ${caller.subject}`, cause, new Date());
    }
    const command = registryChanges(current, set);
    if (Object.keys(command).length > 0) current = await this.update.apply(tx, { agentId: agent.id, ...command, cause });
    await this.saveAttributes(tx, agent.id, { agentUserName: set.agentUserName, externalId: set.externalId }, caller);
    if (set.active !== undefined) await this.setActive(tx, current, set.active, caller);
  }

  /**
   * `active` false suspends the agent and its sub-agents (their tokens stop introspecting active at once) unless it
   * is already inactive; true lifts that suspension, and only that one ("as the registry allows": a suspension is
   * lifted by whoever made it), when the owner and the parent agent are active. Anything else is refused.
   */
  private async setActive(tx: EntityManager, agent: AgentRecord, active: boolean, caller: ScimCaller): Promise<void> {
    const base = { select: { agentIds: [agent.id] }, includeDescendants: true, cause: apiCause(caller.subject), at: new Date() };
    const reason = `SCIM client ${caller.subject} set active to ${active}`;
    if (!active) {
      if (agent.status === 'active') await this.changes.changeStatus(tx, { ...base, to: 'suspended', reason, statusCause: scimDeactivatedCause(agent.id) });
      return;
    }
    if (agent.status === 'active') return;
    if (agent.status !== 'suspended' || agent.statusCause !== scimDeactivatedCause(agent.id)) {
      throw ScimError.invalidValue(`active cannot be set to true: ${whyInactive(agent)}; SCIM lifts only the suspension it made`);
    }
    await this.requireActiveOwner(tx, agent.ownerId);
    const parent = agent.parentId ? await this.registry.findById(agent.parentId, tx) : undefined;
    if (parent && parent.status !== 'active') throw ScimError.invalidValue('active cannot be set to true: the parent agent is not active');
    await this.changes.changeStatus(tx, { ...base, to: 'active', reason, onlyIfStatusCause: scimDeactivatedCause(agent.id) });
  }

  /**
   * The owner an agent is given must be a live User (not one deleted over SCIM) whose status is active, and stays
   * active once the lifecycle changes already reported are applied (a User just deactivated over SCIM is about to
   * be offboarded). Its row is held until the transaction ends, as the registry holds it.
   */
  private async requireActiveOwner(tx: EntityManager, ownerId: string): Promise<void> {
    await this.agents.lockOwner(tx, ownerId);
    const user = await this.users.liveUser(ownerId, tx);
    if (!user) throw ScimError.invalidValue("owners references no User of this service provider: an agent's accountable owner must be a User here");
    const expected = await this.reporter.expectedStatus(tx, user.owner);
    if (user.owner.status !== 'active' || expected.status !== 'active') {
      throw ScimError.invalidValue("The User owners references is not active: an agent's accountable owner must be active");
    }
  }

  /** Runs `work` holding the agent's row lock, after checking the agent is live and, with If-Match, unchanged. */
  private withLiveAgent<T>(
    id: string,
    options: ScimRequestOptions,
    caller: ScimCaller,
    work: (tx: EntityManager, record: ScimAgentRecord) => Promise<T>,
  ): Promise<T> {
    return this.dataSource.transaction(async (tx) => {
      if (!(await this.agents.lockLiveAgent(tx, id))) throw ScimError.notFound();
      const record = await this.agents.liveAgent(id, tx);
      if (!record) throw ScimError.notFound();
      if (options.ifMatch && !versionMatches(options.ifMatch, renderScimAgent(record, caller.baseUrl).meta.version)) throw ScimError.preconditionFailed();
      return work(tx, record);
    });
  }

  /** agentUserName is unique among live agents regardless of case: checked under a lock on it. */
  private async claimAgentUserName(tx: EntityManager, agentUserName: string, agent?: string): Promise<void> {
    await this.agents.lockAgentUserName(tx, agentUserName);
    if (await this.agents.agentUserNameTaken(tx, agentUserName, agent)) throw ScimError.uniqueness('agentUserName is already in use');
  }

  /** agentUserName and externalId; audited when they change. */
  private async saveAttributes(tx: EntityManager, agentId: string, changes: ScimAgentAttributeChanges, caller: ScimCaller, touch = false): Promise<void> {
    const changed = await this.agents.saveAttributes(tx, agentId, changes, touch);
    if (Object.keys(changed).length === 0) return;
    await this.audit.append(tx, [
      {
        at: new Date(),
        ...auditActor(apiCause(caller.subject)),
        action: SCIM_AGENT_ATTRIBUTES_CHANGED_ACTION,
        subjectType: 'agent',
        subjectId: agentId,
        details: { changes: changed, scimClient: caller.subject },
      },
    ]);
  }

  private async answerIn(tx: EntityManager, id: string, options: ScimRequestOptions, caller: ScimCaller): Promise<ScimAgentAnswer> {
    const record = await this.agents.liveAgent(id, tx);
    if (!record) throw ScimError.notFound();
    return answer(renderScimAgent(record, caller.baseUrl), options.selection);
  }
}

function answer(resource: ScimAgentResource, selection: ScimAttributeSelection): ScimAgentAnswer {
  return { resource: selectAgentAttributes(resource, selection), version: resource.meta.version, location: resource.meta.location };
}

/** The registry attributes the change set gives a value different from the agent's. */
function registryChanges(agent: AgentRecord, set: AgentChangeSet): Omit<UpdateAgentCommand, 'agentId' | 'cause'> {
  const scopesDiffer = set.scopes !== undefined && (set.scopes.length !== agent.scopes.length || set.scopes.some((s) => !agent.scopes.includes(s)));
  const expiryDiffers =
    set.expiresAt !== undefined && (set.expiresAt === null ? agent.expiresAt !== null : agent.expiresAt?.getTime() !== Date.parse(set.expiresAt));
  return {
    ...(set.name !== undefined && set.name !== agent.name ? { name: set.name } : {}),
    ...(set.purpose !== undefined && set.purpose !== agent.purpose ? { purpose: set.purpose } : {}),
    ...(set.riskTier !== undefined && set.riskTier !== agent.riskTier ? { riskTier: set.riskTier } : {}),
    ...(scopesDiffer ? { scopes: set.scopes } : {}),
    ...(expiryDiffers ? { expiresAt: set.expiresAt } : {}),
  };
}

/** Why an agent SCIM did not suspend is inactive, in words of our own (never the status reason, which others wrote). */
function whyInactive(agent: AgentRecord): string {
  if (agent.status === 'deprovisioned') return 'the agent is deprovisioned';
  const cause = agent.statusCause ?? '';
  if (cause.startsWith(scimDeactivatedCause(''))) return 'its parent agent was deactivated; reactivate the parent';
  if (cause.startsWith(ownerSuspendedCause('')) || cause.startsWith(ownerTerminatedCause(''))) return 'its owner is not active';
  if (cause.startsWith(containedCause(''))) return 'the security team contained it';
  if (cause.startsWith('manual:')) return 'an administrator suspended it';
  if (cause.startsWith('review:')) return 'an access review suspended it';
  return 'the registry suspended it';
}
