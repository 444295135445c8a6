import { Inject, Injectable } from '@nestjs/common';

import { ReviewClock } from '../clock/review-clock';
import { REVIEW_POLICY, ReviewPolicy } from '../reviews/review-policy';
import { AgentCredentials, ReportsRepository } from './reports.repository';

const DAY_MS = 86_400_000;

/** Live agents whose credentials are older than the policy's `credentialMaxAgeDays`: flagged for rotation. */
@Injectable()
export class CredentialsDueRotationReportUseCase {
  constructor(
    private readonly reports: ReportsRepository,
    private readonly clock: ReviewClock,
    @Inject(REVIEW_POLICY) private readonly policy: ReviewPolicy,
  ) {}

  async execute(): Promise<{ maxAgeDays: number; items: AgentCredentials[] }> {
    const items = await this.reports.credentialsRotatedBefore(new Date(this.clock.now().getTime() - this.policy.credentialMaxAgeDays * DAY_MS));
    return { maxAgeDays: this.policy.credentialMaxAgeDays, items };
  }
}
