import { Kafka } from 'kafkajs';

import { dlqTopicOf, TOPIC_CATALOG } from '@agentgov/contracts';

export interface TopicToCreate {
  topic: string;
  numPartitions: number;
}

/** Every catalog topic with its partitions, plus its dead-letter topic with one partition. */
export function catalogTopics(topicPrefix = ''): TopicToCreate[] {
  return Object.values(TOPIC_CATALOG).flatMap((spec) => [
    { topic: topicPrefix + spec.name, numPartitions: spec.partitions },
    { topic: dlqTopicOf(topicPrefix + spec.name), numPartitions: 1 },
  ]);
}

/**
 * Creates the topics that do not exist yet; safe to call from every replica and every service at every start.
 * Services booting together race to create the same topics, and a broker answers a just-created topic with
 * transient metadata errors for a moment: those rounds are retried.
 */
export async function ensureTopics(kafka: Kafka, topics: TopicToCreate[] = catalogTopics(), replicationFactor = 1, attempts = 8): Promise<string[]> {
  const created: string[] = [];
  for (let attempt = 1; ; attempt++) {
    try {
      created.push(...(await createMissing(kafka, topics, replicationFactor)));
      return created;
    } catch (error) {
      if (attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** attempt, 4000)));
    }
  }
}

async function createMissing(kafka: Kafka, topics: TopicToCreate[], replicationFactor: number): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.topic));
    if (missing.length === 0) return [];
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({ topic: t.topic, numPartitions: t.numPartitions, replicationFactor })),
      });
    } catch (error) {
      // Another replica may have created them between listTopics and createTopics.
      const now = new Set(await admin.listTopics());
      if (missing.some((t) => !now.has(t.topic))) throw error;
    }
    return missing.map((t) => t.topic);
  } finally {
    await admin.disconnect();
  }
}
