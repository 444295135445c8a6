import './instrumentation';

import { bootstrapService, loadEnvOrExit } from '@agentgov/service-runtime';

import { AppModule } from './app.module';
import { REVIEW_SCHEDULER_ENV, REVIEW_SCHEDULER_SERVICE_NAME } from './config/review-scheduler.env';

const env = loadEnvOrExit(REVIEW_SCHEDULER_ENV);

bootstrapService({
  serviceName: REVIEW_SCHEDULER_SERVICE_NAME,
  module: AppModule.forRoot(env),
  port: env.HTTP_PORT,
  logLevel: env.LOG_LEVEL,
  shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
}).catch(() => process.exit(1));
