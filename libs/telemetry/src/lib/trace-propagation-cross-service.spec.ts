import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';

import { getTracer } from './instruments';
import { startTelemetry, TelemetryHandle } from './start-telemetry';
import { extractTraceContext, injectTraceHeaders } from './trace-propagation';
import { withSpan } from './with-span';

describe('trace context across a Kafka hop', () => {
  let exporter: InMemorySpanExporter;
  let telemetry: TelemetryHandle;

  beforeEach(() => {
    exporter = new InMemorySpanExporter();
    telemetry = startTelemetry({ serviceName: 'propagation-test', spanExporter: exporter, env: {} });
  });

  afterEach(async () => {
    await telemetry.shutdown();
  });

  it('the consumer span is a child of the producer span after inject and extract through Buffer headers', async () => {
    const tracer = getTracer('test');
    const kafkaHeaders: Record<string, Buffer> = {};

    await withSpan(tracer, 'agent.lifecycle.v1 publish', { kind: SpanKind.PRODUCER }, async () => {
      const headers = injectTraceHeaders({ ce_id: 'evt-1' });
      for (const [key, value] of Object.entries(headers)) kafkaHeaders[key] = Buffer.from(value);
    });

    // The consumer runs outside the producer's context, as in another service.
    await context.with(ROOT_CONTEXT, async () => {
      expect(trace.getActiveSpan()).toBeUndefined();
      const parent = extractTraceContext({ ...kafkaHeaders, absent: undefined });
      await withSpan(tracer, 'agent.lifecycle.v1 process', { parent, kind: SpanKind.CONSUMER, attributes: { 'messaging.system': 'kafka' } }, async () => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        await withSpan(tracer, 'deprovision-owner', {}, async () => undefined);
      });
    });

    const spans = exporter.getFinishedSpans();
    const producer = spans.find((s) => s.name === 'agent.lifecycle.v1 publish')!;
    const consumer = spans.find((s) => s.name === 'agent.lifecycle.v1 process')!;
    const inner = spans.find((s) => s.name === 'deprovision-owner')!;
    expect(kafkaHeaders['traceparent']?.toString()).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(consumer.spanContext().traceId).toBe(producer.spanContext().traceId);
    expect(consumer.parentSpanContext?.spanId).toBe(producer.spanContext().spanId);
    expect(consumer.kind).toBe(SpanKind.CONSUMER);
    expect(consumer.attributes['messaging.system']).toBe('kafka');
    // The active context follows the await inside the consumer span.
    expect(inner.parentSpanContext?.spanId).toBe(consumer.spanContext().spanId);
    expect(producer.resource.attributes['service.name']).toBe('propagation-test');
  });

  it('reads HTTP-style string headers in any letter case', async () => {
    const tracer = getTracer('test');
    const headers: Record<string, string> = {};
    await withSpan(tracer, 'client', {}, () => injectTraceHeaders(headers));
    const parent = extractTraceContext({ TraceParent: headers['traceparent'] });
    await withSpan(tracer, 'server', { parent }, () => undefined);

    const [client, server] = ['client', 'server'].map((n) => exporter.getFinishedSpans().find((s) => s.name === n)!);
    expect(server.parentSpanContext?.spanId).toBe(client.spanContext().spanId);
  });

  it('without trace headers the span starts a new trace', async () => {
    const tracer = getTracer('test');
    await withSpan(tracer, 'orphan', { parent: extractTraceContext({}) }, () => undefined);
    const [orphan] = exporter.getFinishedSpans();
    expect(orphan.parentSpanContext).toBeUndefined();
  });

  it('a failing handler leaves an ended error span with the exception, token scrubbed, and rethrows', async () => {
    const tracer = getTracer('test');
    const jwt = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLWJ5dGVzLWhlcmU';
    await expect(
      withSpan(tracer, 'failing', {}, async () => {
        throw new Error(`upstream rejected ${jwt}`);
      }),
    ).rejects.toThrow('upstream rejected');

    const [span] = exporter.getFinishedSpans();
    expect(span.name).toBe('failing');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.events[0].name).toBe('exception');
    expect(JSON.stringify(span.events[0].attributes)).toContain('upstream rejected');
    expect(JSON.stringify(span.events[0].attributes)).not.toContain(jwt);
    expect(span.status.message).not.toContain(jwt);
  });

  it('refuses a second start while running, and starts again after shutdown', async () => {
    expect(() => startTelemetry({ serviceName: 'again', env: {} })).toThrow(/already started/);
    await telemetry.shutdown();
    const restarted = new InMemorySpanExporter();
    telemetry = startTelemetry({ serviceName: 'again', spanExporter: restarted, env: {} });
    await withSpan(getTracer('test'), 'after-restart', {}, () => undefined);
    expect(restarted.getFinishedSpans().map((s) => s.name)).toEqual(['after-restart']);
  });

  it('exports to OTLP/HTTP only when an endpoint is configured', async () => {
    await telemetry.shutdown();
    telemetry = startTelemetry({ serviceName: 'otlp', env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' } });
    expect(telemetry.otlpTracesUrl).toBe('http://collector:4318/v1/traces');
    await telemetry.shutdown();
    telemetry = startTelemetry({ serviceName: 'none', env: {} });
    expect(telemetry.otlpTracesUrl).toBeUndefined();
    await telemetry.shutdown();
    expect(() => startTelemetry({ serviceName: 'bad', env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector' } })).toThrow('OTEL_EXPORTER_OTLP_ENDPOINT');
    telemetry = startTelemetry({ serviceName: 'after-bad', env: {} });
  });
});
