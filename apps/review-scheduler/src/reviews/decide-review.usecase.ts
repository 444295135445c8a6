import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { ReviewClock } from '../clock/review-clock';
import { RegistryRepository } from '../registry/registry.repository';
import { ReviewChanges } from './review-changes';
import { Requester, Review } from './review-record';
import { mayDecide } from './reviewer-assignment';
import { ReviewError, ReviewErrorCode } from './reviews.errors';
import { ReviewsRepository } from './reviews.repository';

export interface DecideReviewCommand {
  reviewId: string;
  decision: 'certify' | 'revoke';
  /** Scopes the agent holds, removed on certification. */
  removeScopes?: string[];
  reason?: string;
  requester: Requester;
}

/**
 * A reviewer's (or an admin's) decision: certify (optionally removing named scopes the agent holds; the next
 * certification is scheduled) or revoke (deprovision). A reviewer decides only their own reviews, and nobody,
 * admins included, decides the review of their own high or critical agent (separation of duties).
 */
@Injectable()
export class DecideReviewUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly changes: ReviewChanges,
    private readonly reviews: ReviewsRepository,
    private readonly registry: RegistryRepository,
    private readonly clock: ReviewClock,
  ) {}

  execute(command: DecideReviewCommand): Promise<Review> {
    const { reviewId: id, requester } = command;
    return this.dataSource.transaction(async (tx) => {
      const review = await this.reviews.lock(tx, id);
      // Someone else's review is reported as missing: a reviewer learns nothing about other queues.
      if (!review || (!requester.admin && review.reviewerId !== requester.subject))
        throw new ReviewError(ReviewErrorCode.ReviewNotFound, `no review ${id} in your queue`);
      if (review.state === 'closed') throw new ReviewError(ReviewErrorCode.ReviewClosed, `review ${id} was already decided or closed`);
      const agent = await this.registry.findAgent(tx, review.agentId);
      // Checked at decision time, not only at assignment: the tier is the agent's now (it may have risen since the
      // review was assigned), and the roles alone let an owner through who is an admin or still holds an older review.
      if (!mayDecide(requester.subject, agent ?? { ownerId: review.ownerId, riskTier: undefined }))
        throw new ReviewError(
          ReviewErrorCode.SeparationOfDuties,
          `agent ${review.agentId} (risk tier ${agent?.riskTier ?? 'unknown'}) is yours: the owner of a high or critical agent may not certify or revoke it; the owner's manager, the designated high-risk reviewer or an admin decides`,
        );
      const unknown = (command.removeScopes ?? []).filter((s) => !agent?.scopes.includes(s));
      if (unknown.length) throw new ReviewError(ReviewErrorCode.UnknownScopes, unknown.join(' '));
      return this.changes.decide(
        tx,
        review,
        agent,
        { decision: command.decision, removeScopes: command.removeScopes ?? [], decidedBy: requester.subject, reason: command.reason },
        this.clock.now(),
      );
    });
  }
}
