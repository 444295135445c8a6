import { randomUUID } from 'node:crypto';

import { context, SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, ReadableSpan } from '@opentelemetry/sdk-trace-base';

import { Topics } from '@agentgov/contracts';
import { startTelemetry, TelemetryHandle } from '@agentgov/telemetry';
import { createTopics, deleteTopics, uniqueName, waitFor } from '@agentgov/test-support';

import { ConsumerRunner, createIdempotentProducer, OutboxRelay, OutboxWriter } from '../../src';
import { ACTIVITY, activityMessage, MessagingTestBed } from './messaging-test-bed';

describe('one trace follows an event across services through Kafka headers and the outbox', () => {
  const bed = new MessagingTestBed();
  const exporter = new InMemorySpanExporter();
  let telemetry: TelemetryHandle;
  const stoppables: Array<{ stop(): Promise<void> }> = [];
  const anomalyTopic = () => bed.topic(Topics.AgentAnomaly);

  beforeAll(async () => {
    telemetry = startTelemetry({ serviceName: 'trace-test', spanExporter: exporter, env: {} });
    await bed.setUp(1);
    await createTopics(bed.kafka, [
      { topic: anomalyTopic(), numPartitions: 1 },
      { topic: `${anomalyTopic()}.dlq`, numPartitions: 1 },
    ]);
  });
  afterAll(async () => {
    for (const s of stoppables.reverse()) await s.stop();
    await deleteTopics(bed.kafka, [anomalyTopic(), `${anomalyTopic()}.dlq`]);
    await bed.tearDown();
    await telemetry.shutdown();
  });

  it('links the producer, the first consumer, the event it emits and the second consumer in one trace', async () => {
    const writer = new OutboxWriter(bed.schema, '/tests/baseliner', bed.prefix);
    const agentId = randomUUID();
    let secondConsumerSawTrace: string | undefined;

    // "Service A" scores activity and emits an anomaly through its outbox.
    const serviceA = new ConsumerRunner({
      kafka: bed.kafka,
      groupId: uniqueName('service_a'),
      dataSource: bed.dataSource,
      schema: bed.schema,
      topicPrefix: bed.prefix,
      handlers: {
        [ACTIVITY]: async (event, tx) => {
          await writer.append(tx, [
            {
              topic: Topics.AgentAnomaly,
              data: {
                agentId: event.data.agentId,
                kind: 'behavior',
                score: 0.97,
                episodeId: randomUUID(),
                episodeState: 'started',
                observedAt: new Date().toISOString(),
                features: [{ name: 'records_per_10m', expected: 15, observed: 500, contribution: 0.9 }],
                summary: 'burst',
              },
            },
          ]);
        },
      },
    });
    // "Service B" consumes the anomaly.
    const serviceB = new ConsumerRunner({
      kafka: bed.kafka,
      groupId: uniqueName('service_b'),
      dataSource: bed.dataSource,
      schema: bed.schema,
      topicPrefix: bed.prefix,
      handlers: {
        [Topics.AgentAnomaly]: async () => {
          secondConsumerSawTrace = trace.getActiveSpan()?.spanContext().traceId;
        },
      },
    });
    const relay = new OutboxRelay({ dataSource: bed.dataSource, schema: bed.schema, producer: createIdempotentProducer(bed.kafka) });
    for (const s of [relay, serviceA, serviceB]) {
      await s.start();
      stoppables.push(s);
    }

    const tracer = trace.getTracer('test-producer');
    const root = tracer.startSpan('hr-event-received', { kind: SpanKind.PRODUCER });
    const rootContext = trace.setSpan(context.active(), root);
    const message = context.with(rootContext, () => activityMessage(agentId, 'crm.export'));
    root.end();
    await bed.produce([message]);

    await waitFor(
      async () => secondConsumerSawTrace,
      (t) => t !== undefined,
      { what: 'the second consumer', timeoutMs: 30000 },
    );
    const spans = await waitFor(
      async () => exporter.getFinishedSpans(),
      (s: ReadableSpan[]) => s.filter((x) => x.name.endsWith(' process')).length >= 2,
    );
    const traceId = root.spanContext().traceId;
    expect(secondConsumerSawTrace).toBe(traceId);
    const consumerA = spans.find((s) => s.name === `${ACTIVITY} process`)!;
    const consumerB = spans.find((s) => s.name === `${Topics.AgentAnomaly} process`)!;
    expect(consumerA.spanContext().traceId).toBe(traceId);
    expect(consumerA.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
    expect(consumerB.spanContext().traceId).toBe(traceId);
    expect(consumerB.parentSpanContext?.spanId).toBe(consumerA.spanContext().spanId);
  });
});
