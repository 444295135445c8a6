import { randomUUID } from 'node:crypto';

import { uniqueName } from '@agentgov/test-support';

import { encodeEvent } from '../../src';
import { countingRunner, setUpKeyedState } from './keyed-state-test-bed';
import { ACTIVITY, activity, MessagingTestBed } from './messaging-test-bed';

async function outboxRows(bed: MessagingTestBed): Promise<number> {
  const [{ n }] = await bed.dataSource.query(`SELECT count(*)::int AS n FROM "${bed.schema}"."outbox"`);
  return n;
}

/** Waits up to `ms` for an outbox row; returns how long it took, or undefined. */
async function firstRowWithin(bed: MessagingTestBed, ms: number): Promise<number | undefined> {
  const start = Date.now();
  while (Date.now() - start < ms) {
    if ((await outboxRows(bed)) > 0) return Date.now() - start;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return undefined;
}

describe('an urgent emitted event leaves with a checkpoint of its own, not at the next interval', () => {
  let bed: MessagingTestBed;
  beforeEach(async () => {
    bed = new MessagingTestBed();
    await bed.setUp(1);
    await setUpKeyedState(bed);
  });
  afterEach(() => bed.tearDown());

  async function run(urgent: boolean): Promise<number | undefined> {
    const runner = countingRunner(bed, uniqueName('stateful_urgent'), {
      // Far longer than the test: only an urgent checkpoint can bring the milestone out.
      checkpointIntervalMs: 120_000,
      ...(urgent ? { urgent: () => true } : {}),
    });
    await runner.start();
    try {
      const agentId = randomUUID();
      // The 50th event of an agent emits a milestone.
      await bed.produce(
        Array.from({ length: 50 }, (_, i) => {
          const e = encodeEvent({ topic: ACTIVITY, data: activity(agentId, `step-${i}`), source: '/tests' });
          return { key: e.key, value: e.value, headers: e.headers };
        }),
      );
      return await firstRowWithin(bed, 8000);
    } finally {
      await runner.stop();
    }
  }

  it('reaches the outbox within moments when urgent', async () => {
    expect(await run(true)).toBeLessThan(8000);
  }, 60000);

  it('waits for the interval when not (the control: the test above can fail)', async () => {
    expect(await run(false)).toBeUndefined();
  }, 60000);
});
