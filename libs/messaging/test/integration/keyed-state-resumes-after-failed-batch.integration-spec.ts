import { randomUUID } from 'node:crypto';

import { uniqueName, waitFor } from '@agentgov/test-support';

import { encodeEvent, KeyedStateHandler } from '../../src';
import { countingHandler, countingRunner, CountState, covered, savedCounts, setUpKeyedState } from './keyed-state-test-bed';
import { ACTIVITY, activity, MessagingTestBed } from './messaging-test-bed';

/**
 * Batches are applied after kafkajs has moved its fetch position past them (so the next fetch overlaps with the
 * work). A batch that fails half-way must therefore not be lost: the partition goes back to its checkpoint.
 */
describe('a batch that fails half-way is applied again from the checkpoint', () => {
  let bed: MessagingTestBed;
  beforeEach(async () => {
    bed = new MessagingTestBed();
    await bed.setUp(1);
    await setUpKeyedState(bed);
  });
  afterEach(() => bed.tearDown());

  it('counts every event exactly once although the handler threw in the middle of a batch', async () => {
    const group = uniqueName('stateful_failed_batch');
    const agents = Array.from({ length: 5 }, () => randomUUID());
    let failures = 0;
    // Throws the first time it meets the poisoned action, as a transient fault would; then works.
    const flaky: KeyedStateHandler<typeof ACTIVITY, CountState> = {
      ...countingHandler,
      apply(state, event, emit) {
        if (event.data.action === 'poisoned' && failures === 0) {
          failures++;
          throw new Error('transient fault in the handler');
        }
        countingHandler.apply(state, event, emit);
      },
    };
    const runner = countingRunner(bed, group, { handler: flaky, checkpointIntervalMs: 150 });
    const produce = (actions: string[]) =>
      bed.produce(
        actions.map((action, i) => {
          const e = encodeEvent({ topic: ACTIVITY, data: activity(agents[i % agents.length], action), source: '/tests' });
          return { key: e.key, value: e.value, headers: e.headers };
        }),
      );
    await runner.start();
    try {
      await produce(Array.from({ length: 100 }, (_, i) => `before-${i}`));
      await waitFor(
        () => covered(bed, group),
        (n) => n === 100,
        { what: 'the first 100 events checkpointed', timeoutMs: 30000 },
      );
      // One batch: 50 events, the poisoned one, 49 more.
      await produce([...Array.from({ length: 50 }, (_, i) => `after-${i}`), 'poisoned', ...Array.from({ length: 49 }, (_, i) => `later-${i}`)]);
      await waitFor(
        () => covered(bed, group),
        (n) => n === 200,
        { what: 'all 200 events checkpointed', timeoutMs: 30000 },
      );
    } finally {
      await runner.stop();
    }

    expect(failures).toBe(1);
    const counts = await savedCounts(bed, group);
    expect([...counts.values()].map((c) => c.events)).toEqual([40, 40, 40, 40, 40]);
  }, 90000);
});
