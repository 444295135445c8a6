import { KafkaMessage, Producer } from 'kafkajs';

import { DLQ_HEADERS, dlqTopicOf } from '@agentgov/contracts';

import { MessagingLogger } from '../messaging-logger';
import { messagingMetrics } from '../messaging-metrics';

const MAX_ERROR_HEADER = 1000;

/**
 * Sends a message that cannot be processed to `<topic>.dlq`, whole (key, value, original headers) so it can be
 * replayed once the cause is fixed, with why and where from in `dlq_*` headers.
 */
export class DeadLetterPublisher {
  constructor(
    private readonly producer: Producer,
    private readonly consumerGroup: string,
    private readonly logger: MessagingLogger,
  ) {}

  async publish(topic: string, partition: number, message: KafkaMessage, error: Error, attempts: number): Promise<void> {
    const reason = `${error.name}: ${error.message}`.slice(0, MAX_ERROR_HEADER);
    this.logger.warn({ topic, partition, offset: message.offset, attempts, reason }, 'message dead-lettered');
    await this.producer.send({
      topic: dlqTopicOf(topic),
      acks: -1,
      messages: [
        {
          key: message.key,
          value: message.value,
          headers: {
            ...(message.headers ?? {}),
            [DLQ_HEADERS.error]: reason,
            [DLQ_HEADERS.originTopic]: topic,
            [DLQ_HEADERS.originPartition]: String(partition),
            [DLQ_HEADERS.originOffset]: message.offset,
            [DLQ_HEADERS.attempts]: String(attempts),
            [DLQ_HEADERS.failedAt]: new Date().toISOString(),
            [DLQ_HEADERS.consumerGroup]: this.consumerGroup,
          },
        },
      ],
    });
    messagingMetrics().deadLettered.add(1, { topic });
  }
}
