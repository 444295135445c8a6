// Imported first by main.ts, so tracing and metrics are global before anything else is set up.
import { startServiceTelemetry } from '@agentgov/service-runtime';

import { CONTAINMENT_SERVICE_NAME } from './config/containment.env';

startServiceTelemetry(CONTAINMENT_SERVICE_NAME);
