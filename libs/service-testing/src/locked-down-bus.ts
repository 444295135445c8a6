import { Kafka } from 'kafkajs';

import { applyKafkaAccess, catalogTopics, ensureTopics, removeKafkaAccess, waitForKafkaAccess } from '@agentgov/messaging';
import { localBrokerServiceEnv } from '@agentgov/test-support';

/**
 * Services under test run on the local broker's locked-down listener (TLS, SCRAM-SHA-512, no access without an
 * ACL), each as its own principal with exactly the ACLs of the access table, applied under the test's topic prefix:
 * a service that needed more than the table gives it would fail its tests. The harness itself (publishing events
 * as an outside producer would, reading what services wrote) is the operator, `admin`, on the same listener.
 */
const prepared = new Map<string, Promise<void>>();

/** Creates the prefix's topics and ACLs (once per prefix in this process) and waits until both are in force. */
export function prepareLockedDownPrefix(kafka: Kafka, prefix: string): Promise<void> {
  let done = prepared.get(prefix);
  if (!done) {
    done = (async () => {
      await ensureTopics(kafka, catalogTopics(prefix));
      const admin = kafka.admin();
      await admin.connect();
      try {
        await applyKafkaAccess(admin, prefix);
        await waitForKafkaAccess(admin, prefix);
      } finally {
        await admin.disconnect();
      }
    })();
    // A failed preparation is tried again by the next start, not remembered.
    done.catch(() => prepared.delete(prefix));
    prepared.set(prefix, done);
  }
  return done;
}

/** Removes the prefix's ACLs (when its topics go). Best-effort: the clean-up before the next run is the net. */
export async function removeLockedDownPrefix(kafka: Kafka, prefix: string): Promise<void> {
  prepared.delete(prefix);
  const admin = kafka.admin();
  try {
    await admin.connect();
    await removeKafkaAccess(admin, prefix);
  } catch {
    // Left for scripts/infra/clean-test-leftovers.ts.
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** The env that connects a service to the locked-down listener as its own principal. */
export function lockedDownServiceEnv(principal: string): Record<string, string> {
  // The harness made the topics: a service may not create any.
  return { ...localBrokerServiceEnv(principal), KAFKA_CREATE_TOPICS: 'false' };
}
