/**
 * Clears what earlier test and benchmark runs left behind, before the integration tests start (no service runs
 * then):
 * - their topics on the local broker: each harness works under its own prefix (`<name>_<10 hex>.`, TEST_TOPIC_PREFIX
 *   in libs/test-support) and deletes its topics at its teardown, but a run that was killed, or a clean-up that
 *   timed out, leaves them; thousands of partitions slow the broker for everything after;
 * - their unpublished outbox rows in the test database: a run stopped before its relay drained (a benchmark
 *   leaves tens of thousands) would make the next run's relays publish them first, to topics that are gone;
 * - containment's unfinished connector deliveries there: their receivers are gone, and a later run's instance
 *   (with connectors of the same names) would otherwise carry them to its own receivers.
 * - the ACLs their harnesses granted each service's principal under their prefix (scripts/infra, the locked-down
 *   listener).
 * Topics and ACLs without a test prefix and every other database are never touched.
 */
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } from 'kafkajs';
import { Client } from 'pg';

import { operatorKafka } from './operator-kafka';

// The tests' database (as in libs/test-support, which scripts may not import); the broker is the operator's.
const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/agentgov_test';
const TEST_PREFIX = /^[a-z]+_[0-9a-f]{10}\./;
const PER_REQUEST = 100;
const SCHEMAS = ['provisioner', 'behavior_baseliner', 'containment', 'review_scheduler'];

async function deleteTestTopics(): Promise<number> {
  const admin = operatorKafka('clean-test-leftovers').admin();
  await admin.connect();
  try {
    const leftovers = (await admin.listTopics()).filter((topic) => TEST_PREFIX.test(topic));
    for (let i = 0; i < leftovers.length; i += PER_REQUEST) {
      await admin.deleteTopics({ topics: leftovers.slice(i, i + PER_REQUEST), timeout: 60000 });
    }
    return leftovers.length;
  } finally {
    await admin.disconnect();
  }
}

async function deleteTestAcls(): Promise<number> {
  const admin = operatorKafka('clean-test-leftovers').admin();
  await admin.connect();
  try {
    const { resources } = await admin.describeAcls({
      resourceType: AclResourceTypes.ANY,
      resourcePatternType: ResourcePatternTypes.LITERAL,
      operation: AclOperationTypes.ANY,
      permissionType: AclPermissionTypes.ANY,
    });
    const leftovers = resources.filter((r) => TEST_PREFIX.test(r.resourceName));
    const filters = leftovers.map((r) => ({
      resourceType: r.resourceType,
      resourceName: r.resourceName,
      resourcePatternType: ResourcePatternTypes.LITERAL,
      operation: AclOperationTypes.ANY,
      permissionType: AclPermissionTypes.ANY,
    }));
    for (let i = 0; i < filters.length; i += PER_REQUEST) await admin.deleteAcls({ filters: filters.slice(i, i + PER_REQUEST) });
    return leftovers.length;
  } finally {
    await admin.disconnect();
  }
}

async function clearTestOutboxes(): Promise<number> {
  if (!/\/agentgov_test(\?|$)/.test(TEST_DATABASE_URL)) throw new Error('refusing to clear outboxes outside the agentgov_test database');
  const client = new Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    let cleared = 0;
    for (const schema of SCHEMAS) {
      const [{ exists }] = (await client.query(`SELECT to_regclass($1) IS NOT NULL AS exists`, [`"${schema}"."outbox"`])).rows;
      if (exists) cleared += (await client.query(`DELETE FROM "${schema}"."outbox"`)).rowCount ?? 0;
    }
    const [{ deliveries }] = (await client.query(`SELECT to_regclass('"containment"."deliveries"') IS NOT NULL AS deliveries`)).rows;
    if (deliveries) {
      cleared +=
        (await client.query(`UPDATE "containment"."deliveries" SET "status" = 'failed', "reason" = 'test leftover' WHERE "status" IN ('pending', 'retrying')`))
          .rowCount ?? 0;
    }
    return cleared;
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  // A failed clean-up must not fail the tests: the leftovers only cost speed.
  const rows = await clearTestOutboxes().catch((error: Error) => console.warn(`could not clear old outbox rows: ${error.message}`));
  const topics = await deleteTestTopics().catch((error: Error) => console.warn(`could not delete old test topics: ${error.message}`));
  const acls = await deleteTestAcls().catch((error: Error) => console.warn(`could not delete old test ACLs: ${error.message}`));
  console.log(
    `cleared ${rows ?? 0} unpublished outbox rows and unfinished deliveries, ${topics ?? 0} topics and the ACLs of ${acls ?? 0} topics and groups left by earlier test runs`,
  );
}

void main();
