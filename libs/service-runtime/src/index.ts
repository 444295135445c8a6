export { bootstrapService, OPENAPI_JSON_PATH, OPENAPI_UI_PATH, SHUTDOWN_SIGNALS } from './lib/bootstrap/bootstrap-service';
export type { BootstrapServiceOptions, RunningService } from './lib/bootstrap/bootstrap-service';
export { startServiceTelemetry } from './lib/bootstrap/start-service-telemetry';
export { authConfigFor, commonEnv, LOG_LEVELS, NODE_ENVS } from './lib/env/common-env';
export type { CommonEnvOptions } from './lib/env/common-env';
export { env, ENV_CHECKS, EnvRuleViolation, EnvVar, hostAndPort } from './lib/env/env-var';
export type { EnvCheck, EnvOf, EnvSpec, EnvVarKind, IntOptions, ListOptions, RawEnv, UrlOptions } from './lib/env/env-var';
export { EnvValidationError, loadEnv, loadEnvOrExit } from './lib/env/load-env';
export type { EnvIssue } from './lib/env/load-env';
export { kafkaReadinessCheck, postgresReadinessCheck } from './lib/health/dependency-checks';
export { HEALTH_LIVE_PATH, HEALTH_READY_PATH, HealthController } from './lib/health/health.controller';
export { DEFAULT_CHECK_TIMEOUT_MS, ReadinessRegistry } from './lib/health/readiness.registry';
export type { CheckStatus, ReadinessCheck, ReadinessCheckOptions, ReadinessReport } from './lib/health/readiness.registry';
export { JsonNestLogger } from './lib/logging/json-nest-logger';
export { METRICS_PATH, MetricsController } from './lib/metrics/metrics.controller';
export { DomainError } from './lib/problem/domain-error';
export type { DomainErrorOptions, ProblemFieldError } from './lib/problem/domain-error';
export {
  INTERNAL_ERROR_DETAIL,
  PROBLEM_CONTENT_TYPE,
  PROBLEM_TYPE_BASE,
  problemType,
  toProblemDetails,
} from './lib/problem/problem-details';
export type { ProblemDetails } from './lib/problem/problem-details';
export { ProblemDetailsFilter } from './lib/problem/problem-details.filter';
export { RUNTIME_ROUTES } from './lib/runtime-routes';
export { SERVICE_ENV, SERVICE_NAME, ServiceRuntimeModule } from './lib/service-runtime.module';
export type { NamedReadinessCheck, ServiceRuntimeModuleOptions } from './lib/service-runtime.module';
export * from './lib/validation/request-validator';
export { StorableTextPipe } from './lib/validation/storable-text.pipe';
