/** A KeyedStateRunner in its own process, so a test can kill -9 it. Arguments come from the environment. */
import { DataSource } from 'typeorm';

import { TEST_DATABASE_URL, TEST_KAFKA_BROKERS, testKafkaSecurity } from '@agentgov/test-support';

import { createKafkaClient, KeyedStateRunner, OutboxWriter } from '../../src';
import { countingHandler } from './keyed-state-test-bed';
import { ACTIVITY } from './messaging-test-bed';

async function main(): Promise<void> {
  const schema = process.env.CHILD_SCHEMA!;
  const dataSource = new DataSource({ type: 'postgres', url: TEST_DATABASE_URL, extra: { max: 4 } });
  await dataSource.initialize();
  const runner = new KeyedStateRunner({
    kafka: createKafkaClient({ brokers: TEST_KAFKA_BROKERS, clientId: 'keyed-state-child', security: testKafkaSecurity() }),
    groupId: process.env.CHILD_GROUP!,
    topic: ACTIVITY,
    topicPrefix: process.env.CHILD_PREFIX!,
    dataSource,
    schema,
    handler: countingHandler,
    outbox: new OutboxWriter(schema, '/tests/keyed-state', process.env.CHILD_PREFIX!),
    checkpointIntervalMs: 150,
    sessionTimeoutMs: 6000,
  });
  await runner.start();
  process.send?.('started');
  process.on('SIGTERM', async () => {
    await runner.stop();
    await dataSource.destroy();
    process.exit(0);
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
