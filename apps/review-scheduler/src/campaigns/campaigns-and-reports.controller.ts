import { Body, Controller, Get, Inject, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';

import { CurrentPrincipal, Principal, Roles } from '@agentgov/auth';
import { createRequestValidator } from '@agentgov/service-runtime';

import { ReviewClock } from '../clock/review-clock';
import { REVIEW_SCHEDULER_SCHEMA } from '../database/review-scheduler.database';
import { ReviewPolicy } from '../reviews/review-policy';
import { REVIEW_POLICY, reviewOf, ReviewRow } from '../reviews/reviews';
import { CampaignFilter, Campaigns } from './campaigns';

const S = `"${REVIEW_SCHEDULER_SCHEMA}"`;
const PRINTABLE = '^[\\x21-\\x7E]+$';

const validateCampaign = createRequestValidator<{ name: string; filter: CampaignFilter }>({
  type: 'object',
  additionalProperties: false,
  required: ['name', 'filter'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    filter: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: {
        ownerId: { type: 'string', minLength: 1, maxLength: 256, pattern: PRINTABLE },
        riskTier: { type: 'string', enum: ['low', 'medium', 'high', 'critical'] },
        platform: { type: 'string', minLength: 1, maxLength: 200 },
      },
    },
  },
});

const validatePeriod = createRequestValidator<{ from: string; to: string }>(
  { type: 'object', additionalProperties: false, required: ['from', 'to'], properties: { from: { type: 'string', format: 'date-time' }, to: { type: 'string', format: 'date-time' } } },
  'query',
);

/** Admins' campaigns and reports. */
@ApiTags('campaigns and reports')
@ApiBearerAuth()
@Controller()
export class CampaignsAndReportsController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly campaigns: Campaigns,
    private readonly clock: ReviewClock,
    @Inject(REVIEW_POLICY) private readonly policy: ReviewPolicy,
  ) {}

  /** Opens a review for every live agent matching the filter (owner, risk tier, platform). */
  @Post('campaigns')
  @Roles('admin')
  start(@Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    const { name, filter } = validateCampaign(body);
    return this.campaigns.start(name, filter, principal.subject);
  }

  /** Progress and outcome so far: reviews open, overdue, certified, revoked, suspended. */
  @Get('campaigns/:id')
  @Roles('admin')
  progress(@Param('id', ParseUUIDPipe) id: string) {
    return this.campaigns.progress(id);
  }

  /** Reviews past their due date and still undecided, oldest first. */
  @Get('reports/overdue')
  @Roles('admin')
  async overdue() {
    const rows: ReviewRow[] = await this.dataSource.query(`SELECT * FROM ${S}."reviews" WHERE "state" <> 'closed' AND "due_at" < $1 ORDER BY "due_at" LIMIT 1000`, [this.clock.now()]);
    return { items: rows.map(reviewOf) };
  }

  /** Decisions per day and kind in [from, to). */
  @Get('reports/certifications')
  @Roles('admin')
  async certifications(@Query() query: Record<string, unknown>) {
    const { from, to } = validatePeriod(query);
    const rows = await this.dataSource.query(
      `SELECT to_char(date_trunc('day', "closed_at" AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS day, "decision", count(*)::int AS count
       FROM ${S}."reviews" WHERE "decision" IS NOT NULL AND "closed_at" >= $1 AND "closed_at" < $2 GROUP BY 1, 2 ORDER BY 1, 2`,
      [new Date(from), new Date(to)],
    );
    return { from, to, days: rows };
  }

  /** Live agents whose credentials are older than the policy's `credentialMaxAgeDays`: flagged for rotation. */
  @Get('reports/credentials-due-rotation')
  @Roles('admin')
  async credentialsDueRotation() {
    const rows = await this.dataSource.query(
      `SELECT "agent_id" AS "agentId", "owner_id" AS "ownerId", "risk_tier" AS "riskTier", "credentials_rotated_at" AS "credentialsRotatedAt"
       FROM ${S}."agents" WHERE "status" <> 'deprovisioned' AND "credentials_rotated_at" < $1 ORDER BY "credentials_rotated_at" LIMIT 5000`,
      [new Date(this.clock.now().getTime() - this.policy.credentialMaxAgeDays * 86_400_000)],
    );
    return { maxAgeDays: this.policy.credentialMaxAgeDays, items: rows };
  }

  /** Live agents whose accountable owner is no longer active (terminated or suspended, as HR reported). */
  @Get('reports/agents-without-active-owner')
  @Roles('admin')
  async ownerless() {
    const rows = await this.dataSource.query(
      `SELECT a."agent_id" AS "agentId", a."owner_id" AS "ownerId", o."status" AS "ownerStatus", a."status", a."risk_tier" AS "riskTier"
       FROM ${S}."agents" a JOIN ${S}."owners" o ON o."owner_id" = a."owner_id"
       WHERE a."status" <> 'deprovisioned' AND o."status" <> 'active' ORDER BY a."owner_id", a."agent_id" LIMIT 5000`,
    );
    return { items: rows };
  }
}
