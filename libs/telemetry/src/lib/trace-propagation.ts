import { context, Context, propagation, TextMapGetter } from '@opentelemetry/api';

export type TraceHeaderValue = string | Buffer | (string | Buffer)[] | undefined;
export type TraceHeaderCarrier = Record<string, TraceHeaderValue>;

const headerGetter: TextMapGetter<TraceHeaderCarrier> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    let value = carrier[key];
    if (value === undefined) {
      const match = Object.keys(carrier).find((k) => k.toLowerCase() === key);
      value = match === undefined ? undefined : carrier[match];
    }
    const first = Array.isArray(value) ? value[0] : value;
    return first === undefined ? undefined : Buffer.isBuffer(first) ? first.toString('utf8') : first;
  },
};

/**
 * Writes `traceparent`/`tracestate` (W3C trace context) for `ctx` into a plain header map (Kafka or HTTP)
 * and returns the same map.
 */
export function injectTraceHeaders<T extends Record<string, string>>(headers: T, ctx: Context = context.active()): T {
  propagation.inject(ctx, headers);
  return headers;
}

/** Reads W3C trace context from Kafka (Buffer values) or HTTP headers; the result parents the next span. */
export function extractTraceContext(headers: TraceHeaderCarrier, base: Context = context.active()): Context {
  return propagation.extract(base, headers, headerGetter);
}
