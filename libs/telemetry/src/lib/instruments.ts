import { Meter, metrics, trace, Tracer } from '@opentelemetry/api';

/** A meter from the global provider; a no-op meter until `startTelemetry` has run. */
export function getMeter(name: string, version?: string): Meter {
  return metrics.getMeter(name, version);
}

/** A tracer from the global provider; a no-op tracer until `startTelemetry` has run. */
export function getTracer(name: string, version?: string): Tracer {
  return trace.getTracer(name, version);
}
