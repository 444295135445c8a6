import { Kafka, logLevel } from 'kafkajs';

import { testKafkaConnection, uniqueName } from './test-infrastructure';

/**
 * A test's own topic prefix, `uniqueName(name) + '.'` (e.g. `svc_0123456789.`): every harness puts its topics and
 * consumer groups under one, and only topics under such a prefix are ever deleted by the tests.
 * scripts/infra/clean-test-leftovers.ts (which may not import test helpers) matches the same shape.
 */
export const TEST_TOPIC_PREFIX = /^[a-z]+_[0-9a-f]{10}\.$/;

/** A fresh topic prefix for a harness, e.g. `svc_0123456789.`. */
export function testTopicPrefix(name: string): string {
  return `${uniqueName(name)}.`;
}

export interface RemoveTestTopicsOptions {
  /** The whole clean-up, connection included, gives up after this long (default 15 s). */
  timeoutMs?: number;
  brokers?: string[];
}

export interface RemovedTestTopics {
  /** Topics under the prefix that were deleted. */
  topics: string[];
  /** Consumer groups named under the prefix that were there after the topics went, and are gone. */
  groups: string[];
  /** Groups that could not be deleted (e.g. a killed member's session has not expired yet). */
  groupsKept: string[];
  /** Why the clean-up stopped short, if it did. */
  error?: string;
}

/**
 * Deletes every topic under a test's topic prefix and the consumer groups named under it, and waits until the
 * broker no longer lists those topics. Best-effort and bounded: it never throws for a broker that is slow, down or
 * refusing (the reason is in `error`), so that a passing test never fails because its clean-up did; the clean-up
 * before each run (scripts/infra/clean-test-leftovers.ts) catches what is left. It does throw at once for a prefix
 * that is not a test prefix, which would be a bug in the caller, before touching the broker.
 */
export async function removeTestTopics(prefix: string, options: RemoveTestTopicsOptions = {}): Promise<RemovedTestTopics> {
  if (!TEST_TOPIC_PREFIX.test(prefix)) throw new Error(`refusing to delete topics under "${prefix}": not a test topic prefix`);
  const timeoutMs = options.timeoutMs ?? 15_000;
  const deadline = Date.now() + timeoutMs;
  const result: RemovedTestTopics = { topics: [], groups: [], groupsKept: [] };
  const admin = new Kafka({
    clientId: 'test-topics-cleanup',
    // Named brokers (a unit test's unreachable port) are dialled as they are; by default the local broker as admin.
    ...(options.brokers ? { brokers: options.brokers } : testKafkaConnection()),
    logLevel: logLevel.NOTHING,
    connectionTimeout: Math.min(3000, timeoutMs),
    requestTimeout: timeoutMs,
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
  }).admin();

  const work = async (): Promise<void> => {
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix)).sort();
    for (let i = 0; i < topics.length; i += 100) {
      await admin.deleteTopics({ topics: topics.slice(i, i + 100), timeout: Math.max(1000, deadline - Date.now()) });
    }
    result.topics = topics;
    // Deleted topics leave the broker's metadata a moment after the controller answers: wait for it.
    while ((await admin.listTopics()).some((t) => t.startsWith(prefix))) {
      if (Date.now() > deadline) throw new Error(`topics under ${prefix} still listed`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // The broker drops an empty group with the last of its offsets, so most are gone already; the rest are deleted.
    // One that cannot go yet (a killed member's session is still open) fails alone: reported, not thrown.
    const groupsUnderPrefix = async () =>
      (await admin.listGroups()).groups
        .map((g) => g.groupId)
        .filter((g) => g.startsWith(prefix))
        .sort();
    const groups = await groupsUnderPrefix();
    if (groups.length > 0) {
      await admin.deleteGroups(groups).catch(() => undefined);
      result.groupsKept = await groupsUnderPrefix();
      result.groups = groups.filter((g) => !result.groupsKept.includes(g));
    }
  };

  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`gave up after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([work(), timeout]);
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
  } finally {
    clearTimeout(timer);
    // Not awaited past the bound: a disconnect from a broker that does not answer must not hold the caller.
    await Promise.race([admin.disconnect().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
  }
  return result;
}

/** removeTestTopics for a harness's teardown: one warning line if something is left, never an exception. */
export async function cleanUpTestTopics(prefix: string, options: RemoveTestTopicsOptions = {}): Promise<RemovedTestTopics | undefined> {
  try {
    const removed = await removeTestTopics(prefix, options);
    if (removed.error) console.warn(`could not remove the test topics under ${prefix} (left for the next run's clean-up): ${removed.error}`);
    return removed;
  } catch (error) {
    console.warn(`could not remove the test topics under ${prefix}: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}
