import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';

import { CurrentPrincipal, Principal, Roles } from '@agentgov/auth';
import { createRequestValidator } from '@agentgov/service-runtime';

import { DecideReviewUseCase } from './decide-review.usecase';
import { ListReviewsUseCase } from './list-reviews.usecase';
import { Requester, ReviewState } from './review-record';

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
    removeScopes: {
      type: 'array',
      maxItems: 256,
      uniqueItems: true,
      items: { type: 'string', minLength: 1, maxLength: 256, pattern: '^[\\x21\\x23-\\x5B\\x5D-\\x7E]+$' },
    },
    reason: { type: 'string', minLength: 1, maxLength: 1000 },
  },
});

const validateQuery = createRequestValidator<{ state?: ReviewState; reviewerId?: string }>(
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

const requesterOf = (principal: Principal): Requester => ({ subject: principal.subject, admin: principal.roles.includes('admin') });

/** Reviewers see and decide their own queue; admins see and decide everything. */
@ApiTags('reviews')
@ApiBearerAuth()
@Controller()
export class ReviewsController {
  constructor(
    private readonly listReviews: ListReviewsUseCase,
    private readonly decideReview: DecideReviewUseCase,
  ) {}

  @Get('reviews')
  @Roles('admin', 'reviewer')
  list(@Query() query: Record<string, unknown>, @CurrentPrincipal() principal: Principal) {
    const { state, reviewerId } = validateQuery(query);
    return this.listReviews.execute({ state, reviewerId, requester: requesterOf(principal) });
  }

  /** Certify (optionally removing named scopes; the next certification is scheduled) or revoke (deprovision). */
  @Post('reviews/:id/decision')
  @Roles('admin', 'reviewer')
  @HttpCode(200)
  decide(@Param('id', ParseUUIDPipe) id: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    const { decision, removeScopes, reason } = validateDecision(body);
    return this.decideReview.execute({ reviewId: id, decision, removeScopes, reason, requester: requesterOf(principal) });
  }
}
