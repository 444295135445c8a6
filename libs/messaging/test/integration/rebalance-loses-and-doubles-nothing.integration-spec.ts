import { randomUUID } from 'node:crypto';

import { uniqueName, waitFor } from '@agentgov/test-support';

import { ConsumerRunner } from '../../src';
import { ACTIVITY, activityMessage, MessagingTestBed, recordEffect } from './messaging-test-bed';

const TOTAL = 2000;

describe('a rebalance in the middle of consumption loses and doubles nothing', () => {
  const bed = new MessagingTestBed();
  const group = uniqueName('rebalance');
  const runners: ConsumerRunner[] = [];

  beforeAll(() => bed.setUp(4));
  afterAll(async () => {
    for (const r of runners) await r.stop();
    await bed.tearDown();
  });

  function replica(): ConsumerRunner {
    const runner = new ConsumerRunner({
      kafka: bed.kafka,
      groupId: group,
      dataSource: bed.dataSource,
      schema: bed.schema,
      topicPrefix: bed.prefix,
      handlers: {
        [ACTIVITY]: async (event, tx) => {
          await recordEffect(bed.schema, event, tx);
          await new Promise((r) => setTimeout(r, 1));
        },
      },
    });
    runners.push(runner);
    return runner;
  }

  it('a second replica joins, then the first leaves, and every event has exactly one effect', async () => {
    const agents = Array.from({ length: 40 }, () => randomUUID());
    const messages = Array.from({ length: TOTAL }, (_, i) => activityMessage(agents[i % agents.length], `step-${i}`));
    for (let i = 0; i < TOTAL; i += 500) await bed.produce(messages.slice(i, i + 500));

    const first = replica();
    await first.start();
    await waitFor(
      () => bed.effectCount(),
      (n) => n >= TOTAL / 5,
      { what: 'a fifth handled', timeoutMs: 60000 },
    );
    await replica().start(); // the group rebalances: partitions move while batches are in flight
    await waitFor(
      () => bed.effectCount(),
      (n) => n >= TOTAL / 2,
      { what: 'half handled', timeoutMs: 60000 },
    );
    await first.stop(); // and again when the first replica leaves
    await waitFor(
      () => bed.committed(group),
      (n) => n === TOTAL,
      { what: 'every offset committed', timeoutMs: 90000 },
    );

    const [{ total, distinct }] = await bed.dataSource.query(
      `SELECT count(*)::int AS total, count(DISTINCT "event_id")::int AS distinct FROM "${bed.schema}"."effects"`,
    );
    expect({ total, distinct }).toEqual({ total: TOTAL, distinct: TOTAL });
  }, 180000);
});
