import { commonEnv, EnvOf } from '@agentgov/service-runtime';

export const PROVISIONER_SERVICE_NAME = 'provisioner';

export const PROVISIONER_ENV = {
  ...commonEnv({ httpPort: 3001, kafkaClientId: PROVISIONER_SERVICE_NAME }),
};

export type ProvisionerEnv = EnvOf<typeof PROVISIONER_ENV>;
