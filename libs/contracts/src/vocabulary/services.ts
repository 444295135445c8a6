/** The four services: also their consumer group, Postgres application name and OpenTelemetry service name. */
export const SERVICE_NAMES = ['provisioner', 'behavior-baseliner', 'containment', 'review-scheduler'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** The CloudEvents `ce_source` of every event a service emits (a URI reference, the same shape for all four). */
export function eventSourceOf(service: ServiceName): string {
  return `/agentgov/${service}`;
}
