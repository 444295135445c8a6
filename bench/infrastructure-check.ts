import { createKafkaClient } from '@agentgov/messaging';
import { TEST_KAFKA_BROKERS, testKafkaSecurity, withTestDatabase } from '@agentgov/test-support';

/** How long a broker or database restarting under a failed benchmark gets to come back before the run stops. */
const COME_BACK_MS = 60_000;

async function brokerAnswers(): Promise<boolean> {
  const kafka = createKafkaClient({ brokers: TEST_KAFKA_BROKERS, clientId: 'bench-check', security: testKafkaSecurity() });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.describeCluster();
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

async function databaseAnswers(): Promise<boolean> {
  return withTestDatabase(async (c) => (await c.query('SELECT 1')).rowCount === 1).catch(() => false);
}

/**
 * After a benchmark failed: whether the next one can run. Each benchmark starts its own services on its own topics
 * and stops them however it ends, so what a failure can leave broken is the shared broker or database; they get a
 * minute to come back (a restart), then the rest of the run is skipped, since it could measure nothing.
 */
export async function infrastructureProblem(): Promise<string | undefined> {
  const deadline = Date.now() + COME_BACK_MS;
  for (;;) {
    const [broker, database] = await Promise.all([brokerAnswers(), databaseAnswers()]);
    if (broker && database) return undefined;
    if (Date.now() > deadline) {
      const down = [broker ? undefined : 'the Kafka broker', database ? undefined : 'PostgreSQL'].filter(Boolean).join(' and ');
      return `${down} did not answer for ${COME_BACK_MS / 1000} s after the failure`;
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}
