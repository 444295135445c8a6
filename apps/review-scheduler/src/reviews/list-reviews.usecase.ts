import { Injectable } from '@nestjs/common';

import { Requester, Review, ReviewState } from './review-record';
import { ReviewsRepository } from './reviews.repository';

export interface ListReviewsQuery {
  /** Without a state: every review not yet closed. */
  state?: ReviewState;
  /** Heeded for an admin only: a reviewer always sees their own queue. */
  reviewerId?: string;
  requester: Requester;
}

/** A reviewer's queue, or (for an admin) everyone's or one reviewer's; soonest due first. */
@Injectable()
export class ListReviewsUseCase {
  constructor(private readonly reviews: ReviewsRepository) {}

  async execute(query: ListReviewsQuery): Promise<{ items: Review[] }> {
    const reviewerId = query.requester.admin ? query.reviewerId : query.requester.subject;
    return { items: await this.reviews.list({ reviewerId, state: query.state }) };
  }
}
