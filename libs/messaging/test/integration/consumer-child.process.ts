/**
 * A consumer in its own process, so a test can kill -9 it mid-batch. Arguments come from the environment.
 * Each handled event writes an effect and then sleeps a little, which keeps batches in flight long enough
 * for the kill to land inside one.
 */
import { DataSource } from 'typeorm';

import { TEST_DATABASE_URL, TEST_KAFKA_BROKERS, testKafkaSecurity } from '@agentgov/test-support';

import { ConsumerRunner, createKafkaClient } from '../../src';
import { ACTIVITY, recordEffect } from './messaging-test-bed';

async function main(): Promise<void> {
  const schema = process.env.CHILD_SCHEMA!;
  const dataSource = new DataSource({ type: 'postgres', url: TEST_DATABASE_URL, extra: { max: 4 } });
  await dataSource.initialize();
  const runner = new ConsumerRunner({
    kafka: createKafkaClient({ brokers: TEST_KAFKA_BROKERS, clientId: 'kill-test-child', security: testKafkaSecurity() }),
    groupId: process.env.CHILD_GROUP!,
    dataSource,
    schema,
    topicPrefix: process.env.CHILD_PREFIX!,
    sessionTimeoutMs: 6000,
    handlers: {
      [ACTIVITY]: async (event, tx) => {
        await recordEffect(schema, event, tx);
        await new Promise((r) => setTimeout(r, 2));
      },
    },
  });
  await runner.start();
  process.send?.('started');
  const stop = async () => {
    await runner.stop();
    await dataSource.destroy();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
