import { commonEnv, EnvOf } from '@agentgov/service-runtime';

export const REVIEW_SCHEDULER_SERVICE_NAME = 'review-scheduler';

export const REVIEW_SCHEDULER_ENV = {
  ...commonEnv({ httpPort: 3004, kafkaClientId: REVIEW_SCHEDULER_SERVICE_NAME }),
};

export type ReviewSchedulerEnv = EnvOf<typeof REVIEW_SCHEDULER_ENV>;
