import { metrics } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  AggregationType,
  InstrumentType,
  MeterProvider,
  MetricData,
  MetricReader,
  ResourceMetrics,
  ScopeMetrics,
  ViewOptions,
} from '@opentelemetry/sdk-metrics';

/** What a worker thread sends its parent: its instruments' cumulative state, as the SDK collects it. */
export interface ThreadMetricsSnapshot {
  thread: string;
  scopeMetrics: ScopeMetrics[];
}

/** Bucket upper bounds of every histogram in seconds: from a 5 ms answer to a minute-long settle. */
export const SECONDS_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60];

/**
 * OpenTelemetry's default buckets (0, 5, 10, 25 ... 10000) are made for milliseconds: every latency recorded in seconds
 * would fall in the first one and every percentile would read ~2.5-5 s. One rule for all of ours, in every thread.
 */
export const SECONDS_HISTOGRAM_VIEW: ViewOptions = {
  instrumentType: InstrumentType.HISTOGRAM,
  instrumentUnit: 's',
  aggregation: { type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM, options: { boundaries: [...SECONDS_BUCKETS] } },
};

/** A reader that only collects when asked: the thread decides when to send. */
class SnapshotReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected async onForceFlush(): Promise<void> {
    // Nothing is buffered: every collect() reads the instruments.
  }
  protected async onShutdown(): Promise<void> {
    // Nothing to release.
  }
}

export interface ThreadTelemetryHandle {
  /** Collects and sends one snapshot now (a stopping thread sends its last). */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * Metrics for a worker thread, which has no /metrics of its own: the libraries' instruments (consumer lag, dead
 * letters, handling and checkpoint times) record into this thread's own meter provider, and every `intervalMs` their
 * cumulative state goes to the parent (`send`), which serves it with its own (`TelemetryHandle.addThreadMetrics`).
 * Without this, whatever a thread consumed was invisible: its lag and dead-letter alerts could never fire.
 */
export function startThreadTelemetry(options: { thread: string; send: (snapshot: ThreadMetricsSnapshot) => void; intervalMs?: number }): ThreadTelemetryHandle {
  const reader = new SnapshotReader();
  const provider = new MeterProvider({ resource: resourceFromAttributes({}), readers: [reader], views: [SECONDS_HISTOGRAM_VIEW] });
  metrics.setGlobalMeterProvider(provider);
  const flush = async (): Promise<void> => {
    const { resourceMetrics } = await reader.collect();
    options.send({ thread: options.thread, scopeMetrics: resourceMetrics.scopeMetrics });
  };
  const timer = setInterval(() => void flush().catch(() => undefined), options.intervalMs ?? 1000);
  timer.unref();
  return {
    flush,
    shutdown: async () => {
      clearInterval(timer);
      await provider.shutdown();
    },
  };
}

/**
 * The parent's metrics with each thread's merged in: every data point of a thread gets a `thread` attribute, and a
 * metric the parent has too (the same name) carries both sets of points, so the exposition has one metric per name
 * (Prometheus refuses a second TYPE line for a name).
 */
export function mergeThreadMetrics(main: ResourceMetrics, threads: Iterable<ThreadMetricsSnapshot>): ResourceMetrics {
  // Copies of the parent's metrics, whose point lists the threads' points join.
  const points = new Map<string, { metric: MetricData; dataPoints: unknown[] }>();
  const copy = (metric: MetricData) => {
    const entry = { metric, dataPoints: [...metric.dataPoints] as unknown[] };
    points.set(metric.descriptor.name, entry);
    return entry;
  };
  const mainScopes = main.scopeMetrics.map((scope) => ({ scope: scope.scope, entries: scope.metrics.map(copy) }));
  const threadEntries: Array<{ metric: MetricData; dataPoints: unknown[] }> = [];
  for (const snapshot of threads) {
    for (const scope of snapshot.scopeMetrics) {
      for (const metric of scope.metrics) {
        const threadPoints = metric.dataPoints.map((point) => ({ ...point, attributes: { ...point.attributes, thread: snapshot.thread } }));
        let entry = points.get(metric.descriptor.name);
        if (!entry) {
          entry = copy({ ...metric, dataPoints: [] } as MetricData);
          threadEntries.push(entry);
        }
        // A name the parent uses for another kind of instrument is dropped rather than written twice.
        if (entry.metric.dataPointType === metric.dataPointType) entry.dataPoints.push(...threadPoints);
      }
    }
  }
  const rebuild = (entry: { metric: MetricData; dataPoints: unknown[] }) => ({ ...entry.metric, dataPoints: entry.dataPoints }) as MetricData;
  const scopeMetrics: ScopeMetrics[] = mainScopes.map((scope) => ({ scope: scope.scope, metrics: scope.entries.map(rebuild) }));
  if (threadEntries.length > 0) scopeMetrics.push({ scope: { name: 'agentgov.threads' }, metrics: threadEntries.map(rebuild) });
  return { resource: main.resource, scopeMetrics };
}
