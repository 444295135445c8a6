import { OPENAPI_JSON_PATH, OPENAPI_UI_PATH } from './bootstrap/bootstrap-service';
import { HEALTH_LIVE_PATH, HEALTH_READY_PATH } from './health/health.controller';
import { METRICS_PATH } from './metrics/metrics.controller';

/** Routes every service answers without authentication; deployment checks (compose, k8s probes) use these. */
export const RUNTIME_ROUTES = Object.freeze({
  live: HEALTH_LIVE_PATH,
  ready: HEALTH_READY_PATH,
  metrics: METRICS_PATH,
  openApiJson: OPENAPI_JSON_PATH,
  openApiUi: OPENAPI_UI_PATH,
});
