/**
 * Deletes the topics earlier test and benchmark runs left on the local broker. Each test harness works under its
 * own prefix (`<name>_<10 hex>.`), so every run adds a few hundred partitions; thousands of them slow the broker
 * for everything after. Topics without such a prefix (the stack's own) are never touched.
 */
import { createKafkaClient } from '@agentgov/messaging';

// The tests' broker (as in libs/test-support, which scripts may not import).
const BROKERS = (process.env.TEST_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const TEST_PREFIX = /^[a-z]+_[0-9a-f]{10}\./;
const PER_REQUEST = 100;

async function main(): Promise<void> {
  const admin = createKafkaClient({ brokers: BROKERS, clientId: 'delete-test-topics' }).admin();
  await admin.connect();
  try {
    const leftovers = (await admin.listTopics()).filter((topic) => TEST_PREFIX.test(topic));
    for (let i = 0; i < leftovers.length; i += PER_REQUEST) {
      await admin.deleteTopics({ topics: leftovers.slice(i, i + PER_REQUEST), timeout: 60000 });
    }
    console.log(`deleted ${leftovers.length} topics left by earlier test runs`);
  } finally {
    await admin.disconnect();
  }
}

main().catch((error: Error) => {
  // A failed clean-up must not fail the tests: the leftovers only cost speed.
  console.warn(`could not delete old test topics: ${error.message}`);
});
