import { randomUUID } from 'node:crypto';

import { uniqueName, waitFor } from '@agentgov/test-support';

import { ConsumerRunner, encodeEvent } from '../../src';
import { countingRunner, covered, savedCounts, setUpKeyedState } from './keyed-state-test-bed';
import { ACTIVITY, activity, activityMessage, kafkaFailingFirstCommits, MessagingTestBed, recordEffect } from './messaging-test-bed';

/**
 * The broker restarting (or its group coordinator moving) can fail an offset commit after the events were
 * processed. If the partition then goes quiet, nothing would commit it again: the group would report lag for
 * events long handled. Here the real consumer's first commit is made to fail the way a coordinator outage does.
 */
describe('an offset commit lost after processing is made again', () => {
  const bed = new MessagingTestBed();
  let runner: ConsumerRunner | undefined;

  beforeAll(async () => {
    await bed.setUp(1);
    await setUpKeyedState(bed);
  });
  afterAll(async () => {
    await runner?.stop();
    await bed.tearDown();
  });

  it('commits the quiet partition all the same, and the events come again without a second effect', async () => {
    const group = uniqueName('lostcommit');
    const agentId = randomUUID();
    await bed.produce([activityMessage(agentId, 'crm.read'), activityMessage(agentId, 'crm.update'), activityMessage(agentId, 'crm.delete')]);

    const { kafka, failedCommits } = kafkaFailingFirstCommits(bed.kafka, 1);
    runner = new ConsumerRunner({
      kafka,
      groupId: group,
      dataSource: bed.dataSource,
      schema: bed.schema,
      topicPrefix: bed.prefix,
      handlers: { [ACTIVITY]: (event, tx) => recordEffect(bed.schema, event, tx) },
    });
    await runner.start();

    await waitFor(
      () => bed.effectCount(),
      (n) => n === 3,
      { what: 'all three events processed' },
    );
    expect(failedCommits()).toBe(1);
    // Nothing more is produced: only the runner itself can bring the committed offset to the end.
    await waitFor(
      () => bed.committed(group),
      (n) => n === 3,
      { timeoutMs: 20000, what: 'the group committed all three' },
    );
    expect((await bed.effects()).map((e) => e.action)).toEqual(['crm.read', 'crm.update', 'crm.delete']);
  });

  it('commits a keyed-state partition that went quiet, from its checkpoint', async () => {
    const group = uniqueName('lostcommit_state');
    const agents = [randomUUID(), randomUUID()];
    const { kafka, failedCommits } = kafkaFailingFirstCommits(bed.kafka, 1);
    const stateful = countingRunner(bed, group, { kafka, checkpointIntervalMs: 150 });
    await stateful.start();
    try {
      // The topic already holds the first test's three events; ten more, then silence.
      await bed.produce(
        Array.from({ length: 10 }, (_, i) => {
          const e = encodeEvent({ topic: ACTIVITY, data: activity(agents[i % 2], `quiet-${i}`), source: '/tests' });
          return { key: e.key, value: e.value, headers: e.headers };
        }),
      );
      await waitFor(
        () => covered(bed, group),
        (n) => n === 13,
        { what: 'all 13 events checkpointed', timeoutMs: 30000 },
      );
      await waitFor(
        () => bed.committed(group),
        (n) => n === 13,
        { timeoutMs: 20000, what: 'the group committed the checkpoint' },
      );
      expect(failedCommits()).toBeGreaterThanOrEqual(1);
    } finally {
      await stateful.stop();
    }
    const counts = await savedCounts(bed, group);
    expect(agents.map((a) => counts.get(a)?.events)).toEqual([5, 5]);
  });
});
