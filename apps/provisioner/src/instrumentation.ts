// Imported first by main.ts, so tracing and metrics are global before anything else is set up.
import { startServiceTelemetry } from '@agentgov/service-runtime';

import { PROVISIONER_SERVICE_NAME } from './config/provisioner.env';

startServiceTelemetry(PROVISIONER_SERVICE_NAME);
