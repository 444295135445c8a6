import { randomUUID } from 'node:crypto';

import { uniqueName, waitFor } from '@agentgov/test-support';

import { KeyedStateHandler } from '../../src';
import { countingHandler, countingRunner, CountState, covered, savedCounts, setUpKeyedState } from './keyed-state-test-bed';
import { ACTIVITY, activityMessage, MessagingTestBed } from './messaging-test-bed';

/**
 * A flood of distinct keys (agent ids nobody registered, say) must cost Postgres rows, not memory: a runner with
 * maxResidentKeys keeps at most that many keys in memory, and a key it dropped is read back from its checkpoint
 * before its next event is applied, or when its timer is due, so bounding memory changes no result.
 */
describe('keyed state with a bounded memory', () => {
  let bed: MessagingTestBed;
  beforeEach(async () => {
    bed = new MessagingTestBed();
    await bed.setUp(1);
    await setUpKeyedState(bed);
  });
  afterEach(() => bed.tearDown());

  const BOUND = 20;
  const one = (agents: string[], round: string) => bed.produce(agents.map((agent) => activityMessage(agent, round)));

  it('keeps at most its bound of keys in memory, and continues an evicted key from its checkpoint', async () => {
    const group = uniqueName('stateful_bounded');
    const agents = Array.from({ length: 200 }, () => randomUUID());
    const runner = countingRunner(bed, group, { checkpointIntervalMs: 150, maxResidentKeys: BOUND });
    await runner.start();
    try {
      await one(agents, 'first');
      await waitFor(
        () => covered(bed, group),
        (n) => n === 200,
        { what: '200 events checkpointed', timeoutMs: 30000 },
      );
      await waitFor(
        async () => runner.residentKeys,
        (n) => n <= BOUND,
        { what: 'cold keys evicted', timeoutMs: 10000 },
      );

      // The first agents were the first evicted: their next events must continue their counts, not restart them.
      const evicted = agents.slice(0, 10);
      await one(evicted, 'second');
      await one(evicted, 'third');
      await waitFor(
        () => covered(bed, group),
        (n) => n === 220,
        { what: 'the evicted agents events checkpointed', timeoutMs: 30000 },
      );
      expect(runner.residentKeys).toBeLessThanOrEqual(BOUND);
    } finally {
      await runner.stop();
    }

    // A new owner of the partition loads only its bound (the most recently changed keys), and reads back the rest.
    const successor = countingRunner(bed, group, { checkpointIntervalMs: 150, maxResidentKeys: BOUND });
    await successor.start();
    try {
      const neverLoaded = agents.slice(100, 105);
      await one(neverLoaded, 'after-restart');
      await waitFor(
        () => covered(bed, group),
        (n) => n === 225,
        { what: 'events after the restart checkpointed', timeoutMs: 30000 },
      );
      expect(successor.residentKeys).toBeLessThanOrEqual(BOUND);
    } finally {
      await successor.stop();
    }

    const saved = await savedCounts(bed, group);
    expect(saved.size).toBe(200);
    for (const agent of agents.slice(0, 10)) expect(saved.get(agent)?.events).toBe(3);
    for (const agent of agents.slice(100, 105)) expect(saved.get(agent)?.events).toBe(2);
    for (const agent of agents.slice(10, 100)) expect(saved.get(agent)?.events).toBe(1);
  }, 90000);

  it("runs an evicted key's timer when it falls due", async () => {
    interface TimedState extends CountState {
      dueAt: number;
      fired: boolean;
    }
    const timed: KeyedStateHandler<typeof ACTIVITY, TimedState> = {
      initial: () => ({ events: 0, records: 0, dueAt: Date.now() + 3000, fired: false }),
      apply: (state, event, emit) => countingHandler.apply(state, event, emit),
      onTimer(_key, state, now) {
        if (state.fired || now < state.dueAt) return false;
        state.fired = true;
        return true;
      },
      wakeAt: (state) => (state.fired ? undefined : state.dueAt),
      toJSON: (state) => state,
      fromJSON: (json) => ({ ...(json as TimedState) }),
    };
    const group = uniqueName('stateful_bounded_timer');
    const agents = Array.from({ length: 60 }, () => randomUUID());
    const runner = countingRunner(bed, group, { checkpointIntervalMs: 150, maxResidentKeys: BOUND, handler: timed as never });
    await runner.start();
    try {
      await one(agents, 'only');
      await waitFor(
        () => covered(bed, group),
        (n) => n === 60,
        { what: '60 events checkpointed', timeoutMs: 30000 },
      );
      // Every key's timer fires, the evicted ones' included (they are the majority: at most BOUND stay in memory).
      const fired = await waitFor(
        async () => [...(await savedCounts(bed, group)).values()].filter((s) => (s as TimedState).fired).length,
        (n) => n === 60,
        { what: 'every timer fired and checkpointed', timeoutMs: 30000 },
      );
      expect(fired).toBe(60);
      // Woken keys are evicted again once their new state is checkpointed.
      await waitFor(
        async () => runner.residentKeys,
        (n) => n <= BOUND,
        { what: 'woken keys evicted again', timeoutMs: 10000 },
      );
    } finally {
      await runner.stop();
    }
  }, 90000);
});
