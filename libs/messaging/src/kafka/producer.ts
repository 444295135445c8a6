import { Kafka, Producer } from 'kafkajs';

/**
 * Idempotent producer: the broker drops a retried duplicate of a batch, and one request in flight keeps
 * the order of messages within a partition even when a send is retried.
 */
export function createIdempotentProducer(kafka: Kafka): Producer {
  return kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
}
