import { randomUUID } from 'node:crypto';

import { Kafka, logLevel } from 'kafkajs';

import { catalogTopics } from '@agentgov/messaging';
import { testKafkaConnection, withTestDatabase } from '@agentgov/test-support';

import { ServiceHarness, Stack } from '../../src';

const kafka = new Kafka({ clientId: 'harness-cleanup-test', ...testKafkaConnection(), logLevel: logLevel.NOTHING });

/** The topics and consumer groups on the broker under a prefix. */
async function onBroker(prefix: string): Promise<{ topics: string[]; groups: string[] }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return {
      topics: (await admin.listTopics()).filter((t) => t.startsWith(prefix)).sort(),
      groups: (await admin.listGroups()).groups
        .map((g) => g.groupId)
        .filter((g) => g.startsWith(prefix))
        .sort(),
    };
  } finally {
    await admin.disconnect();
  }
}

describe('harnesses delete their topics and consumer groups at teardown', () => {
  it('a service and its replica: the topics stay while one runs, and are gone once the last one stopped', async () => {
    const first = new ServiceHarness('review-scheduler');
    const second = first.replica();
    const prefix = first.topicPrefix;
    try {
      await first.start();
      await second.start();
      const running = await onBroker(prefix);
      expect(running.topics).toEqual(
        catalogTopics(prefix)
          .map((t) => t.topic)
          .sort(),
      );
      expect(running.groups).toContain(`${prefix}review-scheduler`);

      await first.stop();
      expect((await onBroker(prefix)).topics).toEqual(running.topics);

      await second.stop();
      expect(await onBroker(prefix)).toEqual({ topics: [], groups: [] });
    } finally {
      await second.stop();
      await first.stop();
    }
  }, 120000);

  it('a killed service keeps its topics for a restart; keepTopics keeps them past stop() until removeTopics()', async () => {
    const harness = new ServiceHarness('review-scheduler', { keepTopics: true });
    const prefix = harness.topicPrefix;
    try {
      await harness.start();
      harness.service.kill();
      await harness.service.waitForExit();
      expect((await onBroker(prefix)).topics).toHaveLength(catalogTopics(prefix).length);

      await harness.stop();
      expect((await onBroker(prefix)).topics).toHaveLength(catalogTopics(prefix).length);

      await harness.removeTopics();
      expect((await onBroker(prefix)).topics).toEqual([]);
    } finally {
      await harness.stop();
      await harness.removeTopics();
    }
  }, 120000);

  it("takes its prefix's unpublished outbox events with its topics, so they cannot block the next run's relay", async () => {
    const harness = new ServiceHarness('review-scheduler', { keepTopics: true });
    const prefix = harness.topicPrefix;
    const other = new ServiceHarness('review-scheduler').topicPrefix;
    const rowsOf = (p: string) =>
      withTestDatabase(async (c) => (await c.query(`SELECT "event_id" FROM "review_scheduler"."outbox" WHERE starts_with("topic", $1)`, [p])).rows.length);
    try {
      await harness.start();
      await harness.stop();
      // What a service stopped before its relay drained leaves behind, for its own prefix and for another run's.
      await withTestDatabase(async (c) => {
        for (const [p, id] of [
          [prefix, randomUUID()],
          [prefix, randomUUID()],
          [other, randomUUID()],
        ]) {
          await c.query(`INSERT INTO "review_scheduler"."outbox" ("event_id", "topic", "key", "value", "headers") VALUES ($1, $2, 'k', '{}', '{}')`, [
            id,
            `${p}review.v1`,
          ]);
        }
      });
      expect([await rowsOf(prefix), await rowsOf(other)]).toEqual([2, 1]);

      await harness.removeTopics();
      expect([await rowsOf(prefix), await rowsOf(other)]).toEqual([0, 1]);
    } finally {
      await withTestDatabase((c) => c.query(`DELETE FROM "review_scheduler"."outbox" WHERE starts_with("topic", $1)`, [other]));
      await harness.removeTopics();
    }
  }, 120000);

  it('the whole stack: no topic or consumer group of it is left after stop()', async () => {
    const stack = new Stack();
    try {
      await stack.start();
      const running = await onBroker(stack.topicPrefix);
      expect(running.topics).toEqual(
        catalogTopics(stack.topicPrefix)
          .map((t) => t.topic)
          .sort(),
      );
      expect(running.groups.length).toBeGreaterThanOrEqual(4);
    } finally {
      await stack.stop();
    }
    expect(await onBroker(stack.topicPrefix)).toEqual({ topics: [], groups: [] });
  }, 180000);
});
