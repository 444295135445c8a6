import { Context, ROOT_CONTEXT } from '@opentelemetry/api';

import { extractTraceContext, injectTraceHeaders } from '@agentgov/telemetry';

/** W3C trace context headers (`traceparent`, and `tracestate` when there is one), as a delivery row keeps them. */
export type DeliveryTraceContext = Record<string, string>;

/**
 * The trace the caller is in (a consumer's span for an anomaly or a lifecycle event), to be written with the
 * deliveries it decides; null outside any trace.
 */
export function currentDeliveryTraceContext(): DeliveryTraceContext | null {
  const headers = injectTraceHeaders<DeliveryTraceContext>({});
  return headers['traceparent'] ? headers : null;
}

/** The parent of a connector call's span: the stored context, or a new trace when the delivery has none. */
export function deliveryParentContext(stored: DeliveryTraceContext | null | undefined): Context {
  return stored ? extractTraceContext(stored, ROOT_CONTEXT) : ROOT_CONTEXT;
}
