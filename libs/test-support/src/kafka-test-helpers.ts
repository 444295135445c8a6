import { Kafka, KafkaMessage } from 'kafkajs';

import { uniqueName } from './test-infrastructure';

export interface CollectedMessage {
  topic: string;
  partition: number;
  message: KafkaMessage;
  headers: Record<string, string>;
  value: string;
}

/** Reads a topic from the beginning with a throwaway group until `count` messages arrived (or time ran out). */
export async function collectMessages(kafka: Kafka, topic: string, count: number, { timeoutMs = 20000, settleMs = 0 } = {}): Promise<CollectedMessage[]> {
  const consumer = kafka.consumer({ groupId: uniqueName('collector'), maxWaitTimeInMs: 100 });
  const collected: CollectedMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let reached: () => void = () => undefined;
  const enough = new Promise<void>((resolve) => (reached = resolve));
  await consumer.run({
    eachMessage: async ({ topic: t, partition, message }) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(message.headers ?? {})) if (v !== undefined) headers[k] = String(v);
      collected.push({ topic: t, partition, message, headers, value: message.value?.toString('utf8') ?? '' });
      if (collected.length >= count) reached();
    },
  });
  const timer = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs));
  await Promise.race([enough, timer]);
  if (settleMs > 0) await new Promise((r) => setTimeout(r, settleMs));
  await consumer.disconnect();
  return collected;
}

export async function createTopics(kafka: Kafka, topics: Array<{ topic: string; numPartitions: number }>): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ waitForLeaders: true, topics: topics.map((t) => ({ ...t, replicationFactor: 1 })) });
  } finally {
    await admin.disconnect();
  }
}

export async function deleteTopics(kafka: Kafka, topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics }).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
}
