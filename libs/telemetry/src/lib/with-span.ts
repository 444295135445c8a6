import { Attributes, context, Context, Span, SpanKind, SpanStatusCode, trace, Tracer } from '@opentelemetry/api';

import { scrubSecrets } from './secret-scrubber';

export interface WithSpanOptions {
  /** Parent context, e.g. from `extractTraceContext`; defaults to the active context. */
  parent?: Context;
  kind?: SpanKind;
  attributes?: Attributes;
}

/**
 * Runs `fn` inside a new active span. A thrown error is recorded (scrubbed of tokens), the span is marked
 * as failed and the error is rethrown; the span always ends.
 */
export async function withSpan<T>(tracer: Tracer, name: string, options: WithSpanOptions, fn: (span: Span) => Promise<T> | T): Promise<T> {
  const parent = options.parent ?? context.active();
  const span = tracer.startSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => fn(span));
  } catch (error) {
    recordError(span, error);
    throw error;
  } finally {
    span.end();
  }
}

export function recordError(span: Span, error: unknown): void {
  const err = error instanceof Error ? error : new Error(String(error));
  const message = scrubSecrets(err.message);
  span.recordException({ name: err.name, message, stack: err.stack ? scrubSecrets(err.stack) : undefined });
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}
