import { Kafka, logLevel } from 'kafkajs';

import { createTopics, deleteTopics, removeTestTopics, testKafkaConnection, testTopicPrefix } from '../../src';

describe('removeTestTopics deletes exactly what lives under a test prefix', () => {
  const kafka = new Kafka({ clientId: 'remove-test-topics-test', ...testKafkaConnection(), logLevel: logLevel.NOTHING });
  const prefix = testTopicPrefix('rm');
  // Another prefix that starts alike: it must survive.
  const neighbour = `${prefix.slice(0, -1)}x.`;
  const listed = async (start: string): Promise<string[]> => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      return (await admin.listTopics()).filter((t) => t.startsWith(start)).sort();
    } finally {
      await admin.disconnect();
    }
  };
  const groups = async (start: string): Promise<string[]> => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      return (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(start));
    } finally {
      await admin.disconnect();
    }
  };

  afterAll(() => deleteTopics(kafka, [`${neighbour}agent.activity.v1`]));

  it('deletes the topics and the consumer groups under the prefix, and nothing else', async () => {
    await createTopics(kafka, [
      { topic: `${prefix}agent.activity.v1`, numPartitions: 3 },
      { topic: `${prefix}agent.activity.v1.dlq`, numPartitions: 1 },
      { topic: `${neighbour}agent.activity.v1`, numPartitions: 1 },
    ]);
    // Consumer groups under the prefix with committed offsets and no member left: a service's, on the prefix's
    // topic (the broker drops it with the topic), and one on a topic outside the prefix (it outlives the topics).
    const consumeOne = async (groupId: string, topic: string) => {
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic, messages: [{ value: 'x' }] });
      await producer.disconnect();
      const consumer = kafka.consumer({ groupId });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      let seen!: () => void;
      const consumed = new Promise<void>((resolve) => (seen = resolve));
      await consumer.run({ eachMessage: async () => seen() });
      await consumed;
      await consumer.disconnect();
    };
    await consumeOne(`${prefix}some-service`, `${prefix}agent.activity.v1`);
    await consumeOne(`${prefix}reader-of-elsewhere`, `${neighbour}agent.activity.v1`);
    expect(await listed(prefix)).toEqual([`${prefix}agent.activity.v1`, `${prefix}agent.activity.v1.dlq`]);
    expect((await groups(prefix)).sort()).toEqual([`${prefix}reader-of-elsewhere`, `${prefix}some-service`]);

    const removed = await removeTestTopics(prefix);

    expect(removed.error).toBeUndefined();
    expect(removed.topics).toEqual([`${prefix}agent.activity.v1`, `${prefix}agent.activity.v1.dlq`]);
    expect(removed.groups).toContain(`${prefix}reader-of-elsewhere`);
    expect(removed.groupsKept).toEqual([]);
    expect(await listed(prefix)).toEqual([]);
    expect(await groups(prefix)).toEqual([]);
    expect(await listed(neighbour)).toEqual([`${neighbour}agent.activity.v1`]);
  });
});
