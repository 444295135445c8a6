import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';

import { CurrentPrincipal, Principal, Roles } from '@agentgov/auth';
import { createRequestValidator, DomainError } from '@agentgov/service-runtime';

import { ReviewClock } from '../clock/review-clock';
import { REVIEW_SCHEDULER_SCHEMA } from '../database/review-scheduler.database';
import { ReviewRegistry } from '../registry/review-registry';
import { ReviewRow, reviewOf, Reviews } from './reviews';

interface DecisionBody {
  decision: 'certify' | 'revoke';
  removeScopes?: string[];
  reason?: string;
}

const validateDecision = createRequestValidator<DecisionBody>({
  type: 'object',
  additionalProperties: false,
  required: ['decision'],
  properties: {
    decision: { type: 'string', enum: ['certify', 'revoke'] },
    removeScopes: { type: 'array', maxItems: 256, uniqueItems: true, items: { type: 'string', minLength: 1, maxLength: 256, pattern: '^[\\x21\\x23-\\x5B\\x5D-\\x7E]+$' } },
    reason: { type: 'string', minLength: 1, maxLength: 1000 },
  },
});

const validateQuery = createRequestValidator<{ state?: string; reviewerId?: string }>(
  {
    type: 'object',
    additionalProperties: false,
    properties: {
      state: { type: 'string', enum: ['open', 'reminded', 'overdue', 'escalated', 'closed'] },
      reviewerId: { type: 'string', minLength: 1, maxLength: 256 },
    },
  },
  'query',
);

const validateClock = createRequestValidator<{ at: string }>({ type: 'object', additionalProperties: false, required: ['at'], properties: { at: { type: 'string', format: 'date-time' } } });

const notFound = (id: string) => new DomainError({ code: 'REVIEW_NOT_FOUND', status: 404, title: 'Review not found', detail: `no review ${id} in your queue` });

/** Reviewers see and decide their own queue; admins see and decide everything. */
@ApiTags('reviews')
@ApiBearerAuth()
@Controller()
export class ReviewsController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly reviews: Reviews,
    private readonly registry: ReviewRegistry,
    private readonly clock: ReviewClock,
  ) {}

  @Get('reviews')
  @Roles('admin', 'reviewer')
  async list(@Query() query: Record<string, unknown>, @CurrentPrincipal() principal: Principal) {
    const q = validateQuery(query);
    const admin = principal.roles.includes('admin');
    const reviewerId = admin ? q.reviewerId : principal.subject;
    const params: unknown[] = [];
    const where: string[] = [];
    if (reviewerId) where.push(`"reviewer_id" = $${params.push(reviewerId)}`);
    where.push(q.state ? `"state" = $${params.push(q.state)}` : `"state" <> 'closed'`);
    const rows: ReviewRow[] = await this.dataSource.query(
      `SELECT * FROM "${REVIEW_SCHEDULER_SCHEMA}"."reviews" WHERE ${where.join(' AND ')} ORDER BY "due_at" LIMIT 500`,
      params,
    );
    return { items: rows.map(reviewOf) };
  }

  /** Certify (optionally removing named scopes; the next certification is scheduled) or revoke (deprovision). */
  @Post('reviews/:id/decision')
  @Roles('admin', 'reviewer')
  @HttpCode(200)
  decide(@Param('id', ParseUUIDPipe) id: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    const decision = validateDecision(body);
    return this.dataSource.transaction(async (tx) => {
      const review = await this.reviews.lock(tx, id);
      // Someone else's review is reported as missing: a reviewer learns nothing about other queues.
      if (!review || (!principal.roles.includes('admin') && review.reviewerId !== principal.subject)) throw notFound(id);
      if (review.state === 'closed') throw new DomainError({ code: 'REVIEW_CLOSED', status: 409, title: 'The review is closed', detail: `review ${id} was already decided or closed` });
      const agent = await this.registry.findAgent(tx, review.agentId);
      const unknown = (decision.removeScopes ?? []).filter((s) => !agent?.scopes.includes(s));
      if (unknown.length) throw new DomainError({ code: 'UNKNOWN_SCOPES', status: 422, title: 'The agent does not hold these scopes', detail: unknown.join(' ') });
      return this.reviews.decide(tx, review, agent, { decision: decision.decision, removeScopes: decision.removeScopes ?? [], decidedBy: principal.subject, reason: decision.reason }, this.clock.now());
    });
  }

  /** With CLOCK_CONTROL (never in production): moves this instance's clock forward. */
  @Put('testing/clock')
  @Roles('admin')
  travel(@Body() body: unknown) {
    if (!this.clock.controllable) throw new DomainError({ code: 'CLOCK_NOT_CONTROLLABLE', status: 404, title: 'Not found', detail: 'CLOCK_CONTROL is off' });
    return { now: this.clock.travelTo(new Date(validateClock(body).at)).toISOString() };
  }
}
