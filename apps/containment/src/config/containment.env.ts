import { commonEnv, EnvOf } from '@agentgov/service-runtime';

export const CONTAINMENT_SERVICE_NAME = 'containment';

export const CONTAINMENT_ENV = {
  ...commonEnv({ httpPort: 3003, kafkaClientId: CONTAINMENT_SERVICE_NAME }),
};

export type ContainmentEnv = EnvOf<typeof CONTAINMENT_ENV>;
