// Imported first by main.ts, so tracing and metrics are global before anything else is set up.
import { startServiceTelemetry } from '@agentgov/service-runtime';

import { REVIEW_SCHEDULER_SERVICE_NAME } from './config/review-scheduler.env';

startServiceTelemetry(REVIEW_SCHEDULER_SERVICE_NAME);
