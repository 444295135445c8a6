import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
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
import { incidentFilterOf, validateListQuery, validateStreamQuery } from './incident-filter';
import { IncidentStream } from './incident-stream';
import { IncidentsError, IncidentsErrorCode } from './incidents.errors';
import { IncidentsRepository } from './incidents.repository';
import { ReleaseIncidentUseCase } from './release-incident.usecase';

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
    private readonly stream: IncidentStream,
  ) {}

  /** Incidents, most recently changed first, filtered by status, severity, kind, risk tier, agent, owner or time. */
  @Get('incidents')
  @Roles('admin', 'soc-analyst')
  async list(@Query() query: Record<string, unknown>) {
    const q = validateListQuery(query);
    const limit = q.limit ? Math.min(Number(q.limit), 200) : 50;
    const page = await this.incidents.list(this.dataSource.manager, {
      ...incidentFilterOf(q),
      before: q.cursor ? parseCursor(q.cursor) : undefined,
      limit,
    });
    const items = await this.alerts.socViews(this.dataSource.manager, page);
    return { items, nextCursor: page.length === limit ? cursorOf(page[page.length - 1]) : null };
  }

  /**
   * Server-sent events (text/event-stream): `ready` once listening (read the list then), `incident` with each incident
   * created or changed that matches the filters (the same as the list's), as the list shows it; `resync` when changes
   * may have been missed (read the list again); `reconnect` before the stream ends (the token expired, the instance
   * stops). A comment line every INCIDENT_STREAM_HEARTBEAT_MS keeps a quiet stream open. Declared before
   * `incidents/:id`, which would take `stream` for an id.
   */
  @Get('incidents/stream')
  @Roles('admin', 'soc-analyst')
  @ApiProduces('text/event-stream')
  live(
    @Query() query: Record<string, unknown>,
    @Req() request: Parameters<IncidentStream['subscribe']>[1],
    @Res() response: Parameters<IncidentStream['subscribe']>[0],
    @CurrentPrincipal() principal: Principal,
  ): void {
    const filter = incidentFilterOf(validateStreamQuery(query));
    this.stream.subscribe(response, request, filter, new Date((principal.claims.exp as number) * 1000));
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

  private view(incident: Incident) {
    return this.alerts.socView(this.dataSource.manager, incident);
  }
}
