import { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { Observable } from 'rxjs';

import { extractTraceContext, getTracer, scrubSecrets } from '@agentgov/telemetry';

import { HttpRequest } from './http';

const tracer = getTracer('provisioner');

/**
 * One SERVER span per request an HR/IdP adapter receives, continuing the sender's trace when it sends W3C trace
 * context. The handler runs inside it, so every identity.lifecycle.v1 event it reports carries the span's context
 * through the outbox: one trace follows an offboarding from the HR event to the last connector receipt. The span
 * ends when the response does, with its status code; only a 5xx marks it failed (a refused sender is an answer).
 */
export class IngestSpanInterceptor implements NestInterceptor {
  constructor(private readonly adapter: 'okta' | 'scim' | 'ssf') {}

  intercept(executionContext: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = executionContext.switchToHttp();
    const request = http.getRequest<HttpRequest>();
    const response = http.getResponse<{ statusCode: number; once(event: 'close', listener: () => void): unknown }>();
    const parent = extractTraceContext(request.headers);
    const span = tracer.startSpan(
      `ingest ${this.adapter}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'agentgov.ingest.adapter': this.adapter,
          'http.request.method': request.method ?? '',
          'url.path': (request.originalUrl ?? request.url ?? '').split('?')[0],
        },
      },
      parent,
    );
    response.once('close', () => {
      span.setAttribute('http.response.status_code', response.statusCode);
      if (response.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    const active = trace.setSpan(parent, span);
    return new Observable((subscriber) =>
      context.with(active, () =>
        next.handle().subscribe({
          next: (value) => subscriber.next(value),
          error: (error: unknown) => {
            // Recorded as an event; the span's status follows the answer the exception filter gives.
            const err = error instanceof Error ? error : new Error(String(error));
            span.recordException({ name: err.name, message: scrubSecrets(err.message) });
            subscriber.error(error);
          },
          complete: () => subscriber.complete(),
        }),
      ),
    );
  }
}
