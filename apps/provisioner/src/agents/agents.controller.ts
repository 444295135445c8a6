import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';

import { CurrentPrincipal, Principal, Roles } from '@agentgov/auth';
import { AgentStatus, RiskTier } from '@agentgov/contracts';
import { createRequestValidator } from '@agentgov/service-runtime';

import { apiCause } from '../common/cause';
import { AgentChanges } from './agent-changes';
import { agentView } from './agent-record';
import { RegistryError, RegistryErrorCode } from './agents.errors';
import { AgentsRepository } from './agents.repository';
import { RegisterAgentUseCase } from './register-agent.usecase';
import { UpdateAgentUseCase } from './update-agent.usecase';

const SCOPE = { type: 'string', minLength: 1, maxLength: 256, pattern: '^[\\x21\\x23-\\x5B\\x5D-\\x7E]+$' };
const TIERS = ['low', 'medium', 'high', 'critical'];
const TEXT = (max: number) => ({ type: 'string', minLength: 1, maxLength: max });

const validateRegistration = createRequestValidator<{
  name: string;
  ownerId?: string;
  parentAgentId?: string;
  purpose: string;
  platform: string;
  riskTier: RiskTier;
  scopes: string[];
  expiresAt?: string;
}>({
  type: 'object',
  additionalProperties: false,
  required: ['name', 'purpose', 'platform', 'riskTier', 'scopes'],
  properties: {
    name: TEXT(200),
    ownerId: { type: 'string', minLength: 1, maxLength: 256, pattern: '^[\\x21-\\x7E]+$' },
    parentAgentId: { type: 'string', format: 'uuid' },
    purpose: TEXT(2000),
    platform: TEXT(100),
    riskTier: { type: 'string', enum: TIERS },
    scopes: { type: 'array', items: SCOPE, maxItems: 256 },
    expiresAt: { type: 'string', format: 'date-time', maxLength: 64 },
  },
});

const validateUpdate = createRequestValidator<{
  name?: string;
  purpose?: string;
  riskTier?: RiskTier;
  scopes?: string[];
  expiresAt?: string | null;
}>({
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    name: TEXT(200),
    purpose: TEXT(2000),
    riskTier: { type: 'string', enum: TIERS },
    scopes: { type: 'array', items: SCOPE, maxItems: 256 },
    expiresAt: { type: ['string', 'null'], format: 'date-time', maxLength: 64 },
  },
});

const validateStatusChange = createRequestValidator<{ reason: string }>({
  type: 'object',
  additionalProperties: false,
  required: ['reason'],
  properties: { reason: TEXT(500) },
});

const validateListQuery = createRequestValidator<{
  ownerId?: string;
  status?: AgentStatus;
  riskTier?: RiskTier;
  platform?: string;
  purpose?: string;
  parentAgentId?: string;
  orphaned?: 'true' | 'false';
  after?: string;
  limit?: string;
}>(
  {
    type: 'object',
    additionalProperties: false,
    properties: {
      ownerId: { type: 'string', maxLength: 256 },
      status: { type: 'string', enum: ['active', 'suspended', 'deprovisioned'] },
      riskTier: { type: 'string', enum: TIERS },
      platform: { type: 'string', maxLength: 100 },
      purpose: { type: 'string', maxLength: 2000 },
      parentAgentId: { type: 'string', format: 'uuid' },
      orphaned: { type: 'string', enum: ['true', 'false'] },
      after: { type: 'string', format: 'uuid' },
      limit: { type: 'string', pattern: '^[0-9]{1,4}$' },
    },
  },
  'query',
);

const validatePage = createRequestValidator<{ after?: string; limit?: string }>(
  {
    type: 'object',
    additionalProperties: false,
    properties: { after: { type: 'string', format: 'uuid' }, limit: { type: 'string', pattern: '^[0-9]{1,4}$' } },
  },
  'query',
);

function pageSize(limit?: string): number {
  return Math.max(1, Math.min(Number(limit ?? 100), 1000));
}

function page<T extends { id: string }>(items: T[], limit: number) {
  return { items: items.map((a) => agentView(a as any)), nextAfter: items.length === limit ? items[items.length - 1].id : null };
}

@ApiTags('agents')
@ApiBearerAuth()
@Controller()
export class AgentsController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly agents: AgentsRepository,
    private readonly changes: AgentChanges,
    private readonly register: RegisterAgentUseCase,
    private readonly update: UpdateAgentUseCase,
  ) {}

  /** Registers an agent (or a sub-agent, with parentAgentId); the client secret is in this answer only. */
  @Post('agents')
  @Roles('admin')
  async create(@Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    const command = validateRegistration(body);
    const { agent, clientSecret } = await this.register.execute({ ...command, createdBy: principal.subject });
    return { ...agentView(agent), clientId: agent.id, clientSecret };
  }

  /** Agents by owner, status, tier, platform, purpose or parent; `orphaned=true` for agents whose owner is gone. */
  @Get('agents')
  @Roles('admin', 'soc-analyst', 'reviewer')
  async list(@Query() query: Record<string, unknown>) {
    const q = validateListQuery(query);
    const limit = pageSize(q.limit);
    const items = await this.agents.list({
      ownerId: q.ownerId,
      status: q.status,
      riskTier: q.riskTier,
      platform: q.platform,
      purpose: q.purpose,
      parentId: q.parentAgentId,
      orphaned: q.orphaned === 'true',
      after: q.after,
      limit,
    });
    return page(items, limit);
  }

  /** Counts by status, owner, risk tier and platform. */
  @Get('agents/stats')
  @Roles('admin', 'soc-analyst', 'reviewer')
  stats() {
    return this.agents.counts();
  }

  @Get('agents/:id')
  @Roles('admin', 'soc-analyst', 'reviewer')
  async get(@Param('id', ParseUUIDPipe) id: string) {
    const agent = await this.agents.findById(id);
    if (!agent) throw new RegistryError(RegistryErrorCode.AgentNotFound, `no agent ${id}`);
    return agentView(agent);
  }

  /** Every agent the owner is accountable for, with all their sub-agents. */
  @Get('owners/:ownerId/agents')
  @Roles('admin', 'soc-analyst', 'reviewer')
  async ofOwner(@Param('ownerId') ownerId: string, @Query() query: Record<string, unknown>) {
    const q = validatePage(query);
    const limit = pageSize(q.limit);
    return page(await this.agents.treeOfOwner(ownerId, { after: q.after, limit }), limit);
  }

  @Patch('agents/:id')
  @Roles('admin')
  async patch(@Param('id', ParseUUIDPipe) id: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    const command = validateUpdate(body);
    return agentView(await this.update.execute({ ...command, agentId: id, cause: apiCause(principal.subject) }));
  }

  /** Suspends the agent and its sub-agents; their tokens stop introspecting active at once. */
  @Post('agents/:id/suspend')
  @HttpCode(200)
  @Roles('admin', 'soc-analyst')
  suspend(@Param('id', ParseUUIDPipe) id: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    return this.setStatus(id, 'suspended', validateStatusChange(body).reason, principal, `manual:${principal.subject}`);
  }

  /** Reactivates an agent suspended by hand (not one suspended by a cascade or containment). */
  @Post('agents/:id/reactivate')
  @HttpCode(200)
  @Roles('admin')
  reactivate(@Param('id', ParseUUIDPipe) id: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    return this.setStatus(id, 'active', validateStatusChange(body).reason, principal);
  }

  /** Deprovisions the agent and every sub-agent; final. */
  @Post('agents/:id/deprovision')
  @HttpCode(200)
  @Roles('admin')
  deprovision(@Param('id', ParseUUIDPipe) id: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    return this.setStatus(id, 'deprovisioned', validateStatusChange(body).reason, principal);
  }

  private async setStatus(id: string, to: AgentStatus, reason: string, principal: Principal, statusCause?: string) {
    const at = new Date();
    const changed = await this.dataSource.transaction(async (tx) => {
      const agent = await this.agents.findById(id, tx, true);
      if (!agent) throw new RegistryError(RegistryErrorCode.AgentNotFound, `no agent ${id}`);
      if (agent.status === 'deprovisioned') throw new RegistryError(RegistryErrorCode.AgentDeprovisioned, `agent ${id} is deprovisioned`);
      if (to === 'active' && (agent.status !== 'suspended' || !agent.statusCause?.startsWith('manual:'))) {
        throw new RegistryError(
          RegistryErrorCode.IllegalTransition,
          `agent ${id} is ${agent.status}${agent.statusCause ? ` (${agent.statusCause})` : ''}; only a manual suspension can be lifted here`,
        );
      }
      return this.changes.changeStatus(tx, {
        select: { agentIds: [id] },
        includeDescendants: to !== 'active',
        to,
        reason,
        statusCause,
        onlyIfStatusCause: to === 'active' ? (agent.statusCause ?? undefined) : undefined,
        cause: apiCause(principal.subject),
        at,
      });
    });
    return { changed: changed.map(agentView) };
  }
}
