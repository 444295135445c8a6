import './instrumentation';

import { bootstrapService, loadEnvOrExit } from '@agentgov/service-runtime';

import { AppModule } from './app.module';
import { PROVISIONER_ENV, PROVISIONER_SERVICE_NAME } from './config/provisioner.env';

const env = loadEnvOrExit(PROVISIONER_ENV);

bootstrapService({
  serviceName: PROVISIONER_SERVICE_NAME,
  module: AppModule.forRoot(env),
  port: env.HTTP_PORT,
  logLevel: env.LOG_LEVEL,
  shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
}).catch(() => process.exit(1));
