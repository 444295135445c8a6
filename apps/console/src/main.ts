import './instrumentation';

import { bootstrapService, loadEnvOrExit } from '@agentgov/service-runtime';

import { AppModule } from './app.module';
import { CONSOLE_ENV, CONSOLE_SERVICE_NAME } from './config/console.env';

const env = loadEnvOrExit(CONSOLE_ENV);

bootstrapService({
  serviceName: CONSOLE_SERVICE_NAME,
  module: AppModule.forRoot(env),
  port: env.HTTP_PORT,
  logLevel: env.LOG_LEVEL,
  shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
  openApi: { title: 'console', description: 'The SOC console: its client configuration and its proxy to the services' },
}).catch(() => process.exit(1));
