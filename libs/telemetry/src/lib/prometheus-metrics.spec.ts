import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';

import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';

import { getMeter } from './instruments';
import { PROMETHEUS_CONTENT_TYPE, startTelemetry, TelemetryHandle } from './start-telemetry';
import { SECONDS_HISTOGRAM_VIEW } from './thread-metrics';

/** What startThreadTelemetry collects in a worker thread, made here without a thread (it would take the global provider). */
class CumulativeReader extends MetricReader {
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

describe('Prometheus metrics', () => {
  let telemetry: TelemetryHandle;

  beforeEach(() => {
    telemetry = startTelemetry({ serviceName: 'behavior-baseliner', env: {} });
  });

  afterEach(() => telemetry.shutdown());

  it('exposes a counter incremented through getMeter, with its attributes', async () => {
    const counter = getMeter('baseliner').createCounter('events_scored', { description: 'Activity events scored' });
    counter.add(3, { topic: 'agent.activity.v1' });
    counter.add(2, { topic: 'agent.activity.v1' });
    const latency = getMeter('baseliner').createHistogram('score_latency', { unit: 's' });
    latency.record(0.004);

    const text = await telemetry.collectPrometheusText();
    expect(text).toContain('# HELP events_scored_total Activity events scored');
    expect(text).toContain('# TYPE events_scored_total counter');
    expect(text).toMatch(/^events_scored_total\{topic="agent.activity.v1"\} 5$/m);
    expect(text).toMatch(/^score_latency_count 1$/m);
    expect(text).toContain('service_name="behavior-baseliner"');
  });

  it('buckets every histogram in seconds on a seconds scale, so its percentiles mean something', async () => {
    const settle = getMeter('containment').createHistogram('action_settled_seconds', { unit: 's' });
    settle.record(0.269);
    settle.record(0.041);
    const text = await telemetry.collectPrometheusText();
    expect(text).toMatch(/^action_settled_seconds_bucket\{[^}]*le="0.05"\} 1$/m);
    expect(text).toMatch(/^action_settled_seconds_bucket\{[^}]*le="0.25"\} 1$/m);
    expect(text).toMatch(/^action_settled_seconds_bucket\{[^}]*le="0.5"\} 2$/m);
    expect(text).toMatch(/^action_settled_seconds_bucket\{[^}]*le="60"\} 2$/m);
  });

  it('serves a worker thread’s metrics with the process’s own, one metric per name, each point labelled with its thread', async () => {
    getMeter('agentgov.messaging').createCounter('messages_consumed_total').add(2, { topic: 'agent.lifecycle.v1' });
    const reader = new CumulativeReader();
    const thread = new MeterProvider({ readers: [reader], views: [SECONDS_HISTOGRAM_VIEW] });
    thread.getMeter('agentgov.messaging').createCounter('messages_consumed_total').add(7, { topic: 'agent.activity.v1' });
    thread.getMeter('agentgov.messaging').createHistogram('stateful_checkpoint_duration_seconds', { unit: 's' }).record(0.03);
    const { resourceMetrics } = await reader.collect();
    telemetry.addThreadMetrics({ thread: 'scoring-0', scopeMetrics: resourceMetrics.scopeMetrics });

    const text = await telemetry.collectPrometheusText();
    expect(text.match(/^# TYPE messages_consumed_total counter$/gm)).toHaveLength(1);
    expect(text).toMatch(/^messages_consumed_total\{topic="agent.lifecycle.v1"[^}]*\} 2$/m);
    expect(text).toMatch(/^messages_consumed_total\{topic="agent.activity.v1",thread="scoring-0"[^}]*\} 7$/m);
    expect(text).toMatch(/^stateful_checkpoint_duration_seconds_bucket\{thread="scoring-0"[^}]*le="0.05"\} 1$/m);
    await thread.shutdown();
  });

  it('serves the same text through the node http handler', async () => {
    getMeter('containment').createCounter('revocations').add(1, { connector: 'keycloak' });
    const server: Server = createServer((req, res) => telemetry.prometheusRequestHandler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(PROMETHEUS_CONTENT_TYPE);
      expect(await response.text()).toMatch(/^revocations_total\{connector="keycloak"\} 1$/m);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
