import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';

import { AuditChain } from '@agentgov/audit-trail';
import { CurrentPrincipal, Principal, Roles } from '@agentgov/auth';
import { isUuid } from '@agentgov/contracts';
import { createRequestValidator } from '@agentgov/service-runtime';

import { AcknowledgeIncidentUseCase } from './acknowledge-incident.usecase';
import { CloseIncidentUseCase } from './close-incident.usecase';
import { ConfirmIncidentUseCase } from './confirm-incident.usecase';
import { Incident } from './incident';
import { IncidentAlerts } from './incident-alerts';
import { IncidentsError, IncidentsErrorCode } from './incidents.errors';
import { IncidentsRepository } from './incidents.repository';
import { ReleaseIncidentUseCase } from './release-incident.usecase';

const PRINTABLE = '^[\\x21-\\x7E]+$';
const list = (values: readonly string[]) => `^(${values.join('|')})(,(${values.join('|')}))*$`;

interface ListQuery {
  status?: string;
  severity?: string;
  kind?: string;
  agentId?: string;
  ownerId?: string;
  updatedSince?: string;
  limit?: string;
  cursor?: string;
}

const validateListQuery = createRequestValidator<ListQuery>(
  {
    type: 'object',
    additionalProperties: false,
    properties: {
      status: { type: 'string', pattern: list(['open', 'acknowledged', 'contained', 'released', 'confirmed', 'closed']) },
      severity: { type: 'string', pattern: list(['low', 'medium', 'high', 'critical']) },
      kind: { type: 'string', pattern: list(['behavior', 'shadow-agent', 'manual', 'connector-failure']) },
      agentId: { type: 'string', minLength: 1, maxLength: 128, pattern: PRINTABLE },
      ownerId: { type: 'string', minLength: 1, maxLength: 256, pattern: PRINTABLE },
      updatedSince: { type: 'string', format: 'date-time' },
      limit: { type: 'string', pattern: '^[1-9][0-9]{0,2}$' },
      cursor: { type: 'string', maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' },
    },
  },
  'query',
);

const validateDecision = createRequestValidator<{ reason: string }>({
  type: 'object',
  additionalProperties: false,
  required: ['reason'],
  properties: { reason: { type: 'string', minLength: 1, maxLength: 1000 } },
});

const validateAcknowledgement = createRequestValidator<{ reason?: string }>({
  type: 'object',
  additionalProperties: false,
  properties: { reason: { type: 'string', minLength: 1, maxLength: 1000 } },
});

function cursorOf(incident: Incident): string {
  return Buffer.from(JSON.stringify([incident.updatedAt.toISOString(), incident.id])).toString('base64url');
}

function parseCursor(cursor: string): { updatedAt: Date; id: string } {
  try {
    const [updatedAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof updatedAt === 'string' && typeof id === 'string' && !Number.isNaN(Date.parse(updatedAt)) && isUuid(id))
      return { updatedAt: new Date(updatedAt), id };
  } catch {
    // falls through to the 400 below
  }
  throw new IncidentsError(IncidentsErrorCode.InvalidCursor, 'pass the nextCursor of a previous page unchanged');
}

const split = <T extends string>(value: string | undefined) => (value ? (value.split(',') as T[]) : undefined);

/** The SOC's view and decisions. Analysts act on incidents; only admins change policy (PolicyController). */
@ApiTags('incidents')
@ApiBearerAuth()
@Controller()
export class IncidentsController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly incidents: IncidentsRepository,
    private readonly alerts: IncidentAlerts,
    private readonly audit: AuditChain,
    private readonly acknowledgeIncident: AcknowledgeIncidentUseCase,
    private readonly closeIncident: CloseIncidentUseCase,
    private readonly releaseIncident: ReleaseIncidentUseCase,
    private readonly confirmIncident: ConfirmIncidentUseCase,
  ) {}

  /** Incidents, most recently changed first, filtered by status, severity, kind, agent, owner or time. */
  @Get('incidents')
  @Roles('admin', 'soc-analyst')
  async list(@Query() query: Record<string, unknown>) {
    const q = validateListQuery(query);
    const limit = q.limit ? Math.min(Number(q.limit), 200) : 50;
    const page = await this.incidents.list(this.dataSource.manager, {
      status: split(q.status),
      severity: split(q.severity),
      kind: split(q.kind),
      agentId: q.agentId,
      ownerId: q.ownerId,
      updatedSince: q.updatedSince ? new Date(q.updatedSince) : undefined,
      before: q.cursor ? parseCursor(q.cursor) : undefined,
      limit,
    });
    const alerts = await this.alerts.viewMany(this.dataSource.manager, page);
    const items = page.map((incident, i) => this.present(incident, alerts[i]));
    return { items, nextCursor: page.length === limit ? cursorOf(page[page.length - 1]) : null };
  }

  /** One incident as the SOC sees it: the alert (with every action and receipt) and its audit trail. */
  @Get('incidents/:id')
  @Roles('admin', 'soc-analyst')
  async get(@Param('id', ParseUUIDPipe) id: string) {
    const incident = await this.incidents.find(this.dataSource.manager, id);
    if (!incident) throw new IncidentsError(IncidentsErrorCode.IncidentNotFound, `no incident ${id}`);
    return { ...(await this.view(incident)), audit: await this.audit.find(this.dataSource.manager, { subjectType: 'incident', subjectId: id, limit: 1000 }) };
  }

  @Post('incidents/:id/acknowledge')
  @Roles('admin', 'soc-analyst')
  @HttpCode(200)
  async acknowledge(@Param('id', ParseUUIDPipe) id: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    const { reason } = validateAcknowledgement(body ?? {});
    return this.view(await this.acknowledgeIncident.execute(id, { id: principal.subject, reason: reason ?? 'acknowledged' }));
  }

  /** Dismisses an incident that contained nothing (a false alarm); the reason is required and recorded. */
  @Post('incidents/:id/close')
  @Roles('admin', 'soc-analyst')
  @HttpCode(200)
  async close(@Param('id', ParseUUIDPipe) id: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    const { reason } = validateDecision(body);
    return this.view(await this.closeIncident.execute(id, { id: principal.subject, reason }));
  }

  /** Restores a contained agent with fresh credentials; the reason is required and recorded. */
  @Post('incidents/:id/release')
  @Roles('admin', 'soc-analyst')
  @HttpCode(200)
  async release(@Param('id', ParseUUIDPipe) id: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    const { reason } = validateDecision(body);
    return this.view(await this.releaseIncident.execute(id, { id: principal.subject, reason }));
  }

  /** Confirms the threat: the agent and its sub-agents are deprovisioned. */
  @Post('incidents/:id/confirm')
  @Roles('admin', 'soc-analyst')
  @HttpCode(200)
  async confirm(@Param('id', ParseUUIDPipe) id: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    const { reason } = validateDecision(body);
    return this.view(await this.confirmIncident.execute(id, { id: principal.subject, reason }));
  }

  private async view(incident: Incident) {
    return this.present(incident, await this.alerts.view(this.dataSource.manager, incident));
  }

  private present(incident: Incident, alert: Awaited<ReturnType<IncidentAlerts['view']>>) {
    return {
      ...alert,
      kind: incident.kind,
      summary: incident.summary,
      band: incident.band,
      policyVersion: incident.policyVersion ?? null,
      episodeOpen: incident.episodeOpen,
      acknowledgedBy: incident.acknowledgedBy ?? null,
      releasedAt: incident.releasedAt?.toISOString() ?? null,
      // A release waiting for a second analyst (separation of duties).
      releaseRequest: incident.releaseRequest ? { by: incident.releaseRequest.by, at: incident.releaseRequest.at.toISOString() } : null,
      openedAt: incident.openedAt.toISOString(),
    };
  }
}
