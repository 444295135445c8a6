import { commonEnv, env, ENV_CHECKS, EnvOf, RawEnv } from '@agentgov/service-runtime';

import { reviewPolicyFrom } from '../reviews/review-policy';

export const REVIEW_SCHEDULER_SERVICE_NAME = 'review-scheduler';

const COMMON_ENV = commonEnv({ httpPort: 3004, kafkaClientId: REVIEW_SCHEDULER_SERVICE_NAME });

export const REVIEW_SCHEDULER_ENV = {
  ...COMMON_ENV,
  REVIEW_POLICY: env
    .string({ pattern: /^\{.*\}$/s })
    .default('{}')
    .describe(
      'Review policy as JSON, any subset of: {"cadenceDays": {tier: days}, "dueDays", "reminderDays", "escalateAfterDays", "suspendAfterDays", "overdueAction": "escalate" | "suspend", "staleAfterDays", "unusedScopeDays", "credentialMaxAgeDays", "highRiskReviewer": subject | null}; defaults: cadences low 365, medium 180, high 90, critical 30 days, due in 14, reminded 3 before, escalated 3 and suspended 7 days after the due date, stale after 30 days unseen, scopes unused for 30 days proposed for removal, credentials older than 90 days flagged, no highRiskReviewer (the designated reviewer of high and critical agents whose owner has no known manager; without one, those reviews go to the admins\' queue, reviewer role:admin).',
    ),
  REVIEW_TICK_MS: env
    .int({ min: 100, max: 3_600_000 })
    .default(5000)
    .describe('How often each replica looks for reviews falling due, reminders, escalations and expired agents.'),
  REVIEW_BATCH_SIZE: env
    .int({ min: 1, max: 10_000 })
    .default(200)
    .describe('At most this many items of each kind per tick and replica: after downtime the backlog is worked off in steps, not in one storm.'),
  CLOCK_CONTROL: env
    .boolean()
    .default(false)
    .describe("Lets an admin move this instance's clock forward (PUT /testing/clock), for tests and demonstrations; refused when NODE_ENV is production."),
  [ENV_CHECKS]: [...COMMON_ENV[ENV_CHECKS], checkReviewEnv],
};

function checkReviewEnv(source: RawEnv): void {
  const production = (source['NODE_ENV'] ?? '') === '' || source['NODE_ENV'] === 'production';
  if (production && source['CLOCK_CONTROL'] === 'true') throw new Error('CLOCK_CONTROL must not be enabled when NODE_ENV is production');
  reviewPolicyFrom(source['REVIEW_POLICY'] || '{}');
}

export type ReviewSchedulerEnv = EnvOf<typeof REVIEW_SCHEDULER_ENV>;
