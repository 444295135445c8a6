// Imported first by main.ts, so tracing and metrics are global before anything else is set up.
import { startServiceTelemetry } from '@agentgov/service-runtime';

import { CONSOLE_SERVICE_NAME } from './config/console.env';

startServiceTelemetry(CONSOLE_SERVICE_NAME);
