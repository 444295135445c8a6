import { Counter, Histogram, metrics } from '@opentelemetry/api';

/** A partition's consumer lag as of its last batch, for the lag gauge. */
export interface PartitionLag {
  topic: string;
  partition: number;
  group: string;
  lag: number;
}

export interface MessagingMetrics {
  consumed: Counter;
  idReused: Counter;
  handleDuration: Histogram;
  deadLettered: Counter;
  published: Counter;
  relayErrors: Counter;
  statefulProcessed: Counter;
  checkpointDuration: Histogram;
  evicted: Counter;
  reloaded: Counter;
}

/** What the observable gauges read: filled by the consumers and keyed-state runners of this thread. */
export const lagByPartition = new Map<string, PartitionLag>();
export const liveKeyedStateRunners = new Set<{ residentKeys: number }>();

let made: MessagingMetrics | undefined;

/**
 * The library's instruments, made at their first use rather than when its modules load: a service loads this library
 * (service-runtime imports it) before it starts its telemetry, and OpenTelemetry's metrics API, unlike its tracing
 * API, has no proxy: an instrument made before the meter provider is registered stays a no-op for good, and the
 * dead-letter, id-reuse and lag alerts would never fire.
 */
export function messagingMetrics(): MessagingMetrics {
  if (made) return made;
  const meter = metrics.getMeter('agentgov.messaging');
  meter.createObservableGauge('consumer_lag_messages', { description: 'Messages behind the high watermark at the last batch' }).addCallback((result) => {
    for (const entry of lagByPartition.values()) result.observe(entry.lag, { topic: entry.topic, partition: entry.partition, group: entry.group });
  });
  meter.createObservableGauge('stateful_keys_resident', { description: 'Keys whose state is held in memory' }).addCallback((result) => {
    let total = 0;
    for (const runner of liveKeyedStateRunners) total += runner.residentKeys;
    result.observe(total);
  });
  made = {
    consumed: meter.createCounter('messages_consumed_total', { description: 'Messages consumed, by topic and outcome (processed, duplicate, dead_lettered)' }),
    idReused: meter.createCounter('event_id_reused_total', {
      description: 'Events dead-lettered because their ce_id was already used by an event with different content (a forged or colliding id)',
    }),
    handleDuration: meter.createHistogram('message_handling_duration_seconds', {
      description: 'Time from taking a message to its committed effect',
      unit: 's',
    }),
    deadLettered: meter.createCounter('messages_dead_lettered_total', { description: 'Messages sent to a DLQ, by topic' }),
    published: meter.createCounter('outbox_events_published_total', { description: 'Events moved from the outbox to Kafka' }),
    relayErrors: meter.createCounter('outbox_relay_errors_total', { description: 'Failed relay rounds' }),
    statefulProcessed: meter.createCounter('stateful_events_processed_total', { description: 'Events folded into keyed state' }),
    checkpointDuration: meter.createHistogram('stateful_checkpoint_duration_seconds', { unit: 's', description: 'Checkpoint transaction time' }),
    evicted: meter.createCounter('stateful_keys_evicted_total', { description: 'Keys whose checkpointed state was dropped from memory' }),
    reloaded: meter.createCounter('stateful_keys_reloaded_total', { description: 'Evicted keys read back from their checkpoint' }),
  };
  return made;
}
