import './instrumentation';

import { bootstrapService, loadEnvOrExit } from '@agentgov/service-runtime';

import { AppModule } from './app.module';
import { CONTAINMENT_ENV, CONTAINMENT_SERVICE_NAME } from './config/containment.env';

const env = loadEnvOrExit(CONTAINMENT_ENV);

bootstrapService({
  serviceName: CONTAINMENT_SERVICE_NAME,
  module: AppModule.forRoot(env),
  port: env.HTTP_PORT,
  logLevel: env.LOG_LEVEL,
  shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
}).catch(() => process.exit(1));
