import { randomUUID } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { Topics } from '@agentgov/contracts';
import { OutboxWriter } from '@agentgov/messaging';
import { SERVICE_ENV } from '@agentgov/service-runtime';

import { ReviewClock } from '../clock/review-clock';
import { ReviewSchedulerEnv } from '../config/review-scheduler.env';
import { ScheduleRepository } from './schedule.repository';

/** Agents past their `expiresAt` are deprovisioned: a revoke decision by `system:expiry`, once per agent. */
@Injectable()
export class DeprovisionExpiredAgentsUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly schedule: ScheduleRepository,
    private readonly clock: ReviewClock,
    @Inject(OutboxWriter) private readonly outbox: OutboxWriter,
    @Inject(SERVICE_ENV) private readonly env: ReviewSchedulerEnv,
  ) {}

  async execute(): Promise<void> {
    const now = this.clock.now();
    await this.dataSource.transaction(async (tx) => {
      for (const { agentId, expiresAt } of await this.schedule.claimExpired(tx, now, this.env.REVIEW_BATCH_SIZE)) {
        await this.schedule.markExpiryEnforced(tx, agentId, now);
        // The provisioner deprovisions on a revoke decision; the review id names this enforcement.
        await this.outbox.append(tx, [
          {
            topic: Topics.ReviewDecision,
            subject: agentId,
            data: {
              reviewId: randomUUID(),
              agentId,
              decision: 'revoke',
              removeScopes: [],
              decidedBy: 'system:expiry',
              reason: `the agent expired at ${expiresAt.toISOString()}`,
              occurredAt: now.toISOString(),
            },
          },
        ]);
      }
    });
  }
}
