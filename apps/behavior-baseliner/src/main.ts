import './instrumentation';

import { bootstrapService, loadEnvOrExit } from '@agentgov/service-runtime';

import { AppModule } from './app.module';
import { BEHAVIOR_BASELINER_ENV, BEHAVIOR_BASELINER_SERVICE_NAME } from './config/behavior-baseliner.env';

const env = loadEnvOrExit(BEHAVIOR_BASELINER_ENV);

bootstrapService({
  serviceName: BEHAVIOR_BASELINER_SERVICE_NAME,
  module: AppModule.forRoot(env),
  port: env.HTTP_PORT,
  logLevel: env.LOG_LEVEL,
  shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
}).catch(() => process.exit(1));
