import { IncomingMessage, ServerResponse } from 'node:http';

import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor, SimpleSpanProcessor, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';

import { mergeThreadMetrics, SECONDS_HISTOGRAM_VIEW, ThreadMetricsSnapshot } from './thread-metrics';

export interface TelemetryOptions {
  serviceName: string;
  serviceVersion?: string;
  /**
   * OTLP/HTTP base endpoint (e.g. http://otel-collector:4318); traces go to `<endpoint>/v1/traces`.
   * Defaults to OTEL_EXPORTER_OTLP_ENDPOINT. Without one, spans are not exported.
   */
  otlpEndpoint?: string;
  /** Exports every span synchronously to this exporter (tests pass an InMemorySpanExporter). */
  spanExporter?: SpanExporter;
  /** Environment to read OTEL_* variables from; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface TelemetryHandle {
  readonly serviceName: string;
  readonly tracerProvider: BasicTracerProvider;
  readonly meterProvider: MeterProvider;
  /** Where spans are exported over OTLP/HTTP, when they are. */
  readonly otlpTracesUrl?: string;
  /** The current metrics in the Prometheus text exposition format. */
  collectPrometheusText(): Promise<string>;
  /** A worker thread's latest metrics (startThreadTelemetry's snapshots), served from now on with this thread's. */
  addThreadMetrics(snapshot: ThreadMetricsSnapshot): void;
  /** A node http handler answering with `collectPrometheusText()`. */
  prometheusRequestHandler(req: IncomingMessage, res: ServerResponse): void;
  forceFlush(): Promise<void>;
  /** Flushes and stops the providers and unregisters the OpenTelemetry globals. */
  shutdown(): Promise<void>;
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

let active: TelemetryHandle | undefined;

/** The handle of the running telemetry, if `startTelemetry` has been called. */
export function getActiveTelemetry(): TelemetryHandle | undefined {
  return active;
}

/**
 * Sets up global tracing (W3C trace context, AsyncLocalStorage context) and metrics (Prometheus pull).
 * Call it once, before the framework and instrumented libraries are imported.
 */
export function startTelemetry(options: TelemetryOptions): TelemetryHandle {
  if (active) {
    throw new Error(`telemetry is already started for ${active.serviceName}; shut it down first`);
  }
  const env = options.env ?? process.env;
  const resource = resourceFromAttributes({
    [ATTR_SERVICE_NAME]: options.serviceName,
    ...(options.serviceVersion ? { [ATTR_SERVICE_VERSION]: options.serviceVersion } : {}),
  });

  const spanProcessors: SpanProcessor[] = [];
  const otlpTracesUrl = resolveOtlpTracesUrl(options.otlpEndpoint, env);
  if (otlpTracesUrl) {
    spanProcessors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url: otlpTracesUrl })));
  }
  if (options.spanExporter) {
    spanProcessors.push(new SimpleSpanProcessor(options.spanExporter));
  }
  const tracerProvider = new BasicTracerProvider({ resource, spanProcessors });

  const prometheus = new PrometheusExporter({ preventServerStart: true });
  const serializer = new PrometheusSerializer();
  const meterProvider = new MeterProvider({
    resource,
    readers: [prometheus],
    views: [SECONDS_HISTOGRAM_VIEW],
  });

  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);

  // The latest snapshot of each worker thread (libs/telemetry thread-metrics), served with this thread's metrics.
  const threadSnapshots = new Map<string, ThreadMetricsSnapshot>();
  const collectPrometheusText = async (): Promise<string> => {
    const { resourceMetrics } = await prometheus.collect();
    return serializer.serialize(threadSnapshots.size > 0 ? mergeThreadMetrics(resourceMetrics, threadSnapshots.values()) : resourceMetrics);
  };

  let stopped: Promise<void> | undefined;
  const handle: TelemetryHandle = {
    serviceName: options.serviceName,
    tracerProvider,
    meterProvider,
    otlpTracesUrl,
    collectPrometheusText,
    addThreadMetrics: (snapshot) => void threadSnapshots.set(snapshot.thread, snapshot),
    prometheusRequestHandler: (_req, res) => {
      collectPrometheusText().then(
        (text) => {
          res.statusCode = 200;
          res.setHeader('content-type', PROMETHEUS_CONTENT_TYPE);
          res.end(text);
        },
        () => {
          res.statusCode = 500;
          res.setHeader('content-type', 'text/plain; charset=utf-8');
          res.end('# metrics collection failed\n');
        },
      );
    },
    forceFlush: async () => {
      await Promise.all([tracerProvider.forceFlush(), meterProvider.forceFlush()]);
    },
    shutdown: () => {
      stopped ??= (async () => {
        try {
          await Promise.allSettled([tracerProvider.shutdown(), meterProvider.shutdown()]);
        } finally {
          trace.disable();
          metrics.disable();
          propagation.disable();
          context.disable();
          if (active === handle) active = undefined;
        }
      })();
      return stopped;
    },
  };
  active = handle;
  return handle;
}

function resolveOtlpTracesUrl(endpoint: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  const tracesEndpoint = env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']?.trim();
  if (!endpoint && tracesEndpoint) return validUrl(tracesEndpoint, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const base = endpoint?.trim() || env['OTEL_EXPORTER_OTLP_ENDPOINT']?.trim();
  if (!base) return undefined;
  const name = endpoint ? 'otlpEndpoint' : 'OTEL_EXPORTER_OTLP_ENDPOINT';
  return validUrl(`${base.replace(/\/+$/, '')}/v1/traces`, name);
}

function validUrl(value: string, name: string): string {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
    return value;
  } catch {
    throw new Error(`${name} must be an http(s) URL`);
  }
}
