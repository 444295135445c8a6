import { commonEnv, EnvOf } from '@agentgov/service-runtime';

export const BEHAVIOR_BASELINER_SERVICE_NAME = 'behavior-baseliner';

export const BEHAVIOR_BASELINER_ENV = {
  ...commonEnv({ httpPort: 3002, kafkaClientId: BEHAVIOR_BASELINER_SERVICE_NAME }),
};

export type BehaviorBaselinerEnv = EnvOf<typeof BEHAVIOR_BASELINER_ENV>;
