import { deleteTopics, TEST_KAFKA_BROKERS, testKafkaSecurity, uniqueName } from '@agentgov/test-support';

import { catalogTopics, createKafkaClient, ensureTopics } from '../../src';

describe('services booting together all get the catalog topics', () => {
  const prefix = `${uniqueName('boot')}.`;
  const kafka = createKafkaClient({ brokers: TEST_KAFKA_BROKERS, clientId: 'ensure-topics-test', security: testKafkaSecurity() });
  afterAll(() =>
    deleteTopics(
      kafka,
      catalogTopics(prefix).map((t) => t.topic),
    ),
  );

  it('four concurrent ensureTopics calls all succeed and leave every topic with its partitions', async () => {
    const clients = Array.from({ length: 4 }, (_, i) =>
      createKafkaClient({ brokers: TEST_KAFKA_BROKERS, clientId: `service-${i}`, security: testKafkaSecurity() }),
    );
    const results = await Promise.all(clients.map((k) => ensureTopics(k, catalogTopics(prefix))));
    const wanted = catalogTopics(prefix);
    expect(new Set(results.flat())).toEqual(new Set(wanted.map((t) => t.topic)));

    const admin = kafka.admin();
    await admin.connect();
    const metadata = await admin.fetchTopicMetadata({ topics: wanted.map((t) => t.topic) });
    await admin.disconnect();
    for (const t of wanted) {
      expect(metadata.topics.find((m) => m.name === t.topic)?.partitions).toHaveLength(t.numPartitions);
    }
  });
});
