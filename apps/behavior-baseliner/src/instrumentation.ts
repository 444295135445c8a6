// Imported first by main.ts, so tracing and metrics are global before anything else is set up.
import { startServiceTelemetry } from '@agentgov/service-runtime';

import { BEHAVIOR_BASELINER_SERVICE_NAME } from './config/behavior-baseliner.env';

startServiceTelemetry(BEHAVIOR_BASELINER_SERVICE_NAME);
