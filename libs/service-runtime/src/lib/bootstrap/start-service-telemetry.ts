import { startTelemetry, TelemetryHandle } from '@agentgov/telemetry';

/**
 * For an app's instrumentation.ts. Telemetry reads OTEL_* itself, before the env is validated, so a bad
 * value is reported here the same way loadEnvOrExit reports one: a line naming it, and a non-zero exit.
 */
export function startServiceTelemetry(serviceName: string): TelemetryHandle {
  try {
    return startTelemetry({ serviceName });
  } catch (error) {
    process.stderr.write(`${serviceName}: cannot start telemetry: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
