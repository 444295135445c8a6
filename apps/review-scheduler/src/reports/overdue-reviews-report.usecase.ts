import { Injectable } from '@nestjs/common';

import { ReviewClock } from '../clock/review-clock';
import { Review } from '../reviews/review-record';
import { ReportsRepository } from './reports.repository';

/** Reviews past their due date (by the scheduler's clock) and still undecided, oldest first. */
@Injectable()
export class OverdueReviewsReportUseCase {
  constructor(
    private readonly reports: ReportsRepository,
    private readonly clock: ReviewClock,
  ) {}

  async execute(): Promise<{ items: Review[] }> {
    return { items: await this.reports.overdue(this.clock.now()) };
  }
}
