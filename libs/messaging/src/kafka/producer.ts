import { Kafka, Partitioners, Producer } from 'kafkajs';

/**
 * Idempotent producer: the broker drops a retried duplicate of a batch, and one request in flight keeps
 * the order of messages within a partition even when a send is retried. The partitioner is the Java
 * client's murmur2, so a key lands on the same partition whichever client produced it.
 */
export function createIdempotentProducer(kafka: Kafka): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
}
