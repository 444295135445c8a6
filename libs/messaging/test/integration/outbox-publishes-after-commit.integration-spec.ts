import { randomUUID } from 'node:crypto';

import { CE_HEADERS } from '@agentgov/contracts';
import { collectMessages } from '@agentgov/test-support';

import { createIdempotentProducer, OutboxRelay, OutboxWriter } from '../../src';
import { ACTIVITY, activity, MessagingTestBed } from './messaging-test-bed';

describe('the outbox publishes an event after its transaction commits, never after a rollback', () => {
  const bed = new MessagingTestBed();
  let relays: OutboxRelay[] = [];
  let writer: OutboxWriter;

  beforeAll(async () => {
    await bed.setUp(3);
    writer = new OutboxWriter(bed.schema, '/tests/outbox', bed.prefix);
  });
  afterEach(async () => {
    await Promise.all(relays.map((r) => r.stop()));
    relays = [];
  });
  afterAll(() => bed.tearDown());

  function startRelay(): OutboxRelay {
    // A poll interval far longer than the test: only the commit's NOTIFY can wake the relay in time.
    const relay = new OutboxRelay({ dataSource: bed.dataSource, schema: bed.schema, producer: createIdempotentProducer(bed.kafka), pollIntervalMs: 60000 });
    relays.push(relay);
    return relay;
  }

  it('holds the event until commit, drops it on rollback, and wakes on commit', async () => {
    await startRelay().start();
    const agentId = randomUUID();

    await expect(
      bed.dataSource.transaction(async (tx) => {
        await writer.append(tx, [{ topic: ACTIVITY, data: activity(agentId, 'rolled-back') }]);
        throw new Error('the state change failed');
      }),
    ).rejects.toThrow('the state change failed');

    const queryRunner = bed.dataSource.createQueryRunner();
    await queryRunner.connect();
    await queryRunner.startTransaction();
    await writer.append(queryRunner.manager, [{ topic: ACTIVITY, data: activity(agentId, 'committed') }]);
    const whileOpen = await collectMessages(bed.kafka, bed.topic(), 1, { timeoutMs: 1500 });
    expect(whileOpen).toHaveLength(0);
    const committedAt = Date.now();
    await queryRunner.commitTransaction();
    await queryRunner.release();

    const published = await collectMessages(bed.kafka, bed.topic(), 1, { timeoutMs: 10000, settleMs: 1000 });
    const arrivedWithin = Date.now() - committedAt;
    expect(published.map((m) => JSON.parse(m.value).action)).toEqual(['committed']);
    expect(published[0].headers[CE_HEADERS.type]).toBe('agentgov.agent.activity.v1');
    expect(published[0].message.key?.toString()).toBe(agentId);
    expect(arrivedWithin).toBeLessThan(10000);
    const [{ n }] = await bed.dataSource.query(`SELECT count(*)::int AS n FROM "${bed.schema}"."outbox"`);
    expect(n).toBe(0);
  });

  it('refuses to write outside a transaction', async () => {
    await expect(writer.append(bed.dataSource.manager, [{ topic: ACTIVITY, data: activity(randomUUID(), 'x') }])).rejects.toThrow(/inside the transaction/);
  });

  it('keeps per-key order and loses nothing with two relays running', async () => {
    await Promise.all([startRelay().start(), startRelay().start()]);
    const agents = Array.from({ length: 5 }, () => randomUUID());
    const total = 600;
    for (let batch = 0; batch < total / 20; batch++) {
      await bed.dataSource.transaction(async (tx) => {
        const events = Array.from({ length: 20 }, (_, i) => {
          const seq = batch * 20 + i;
          return { topic: ACTIVITY, data: activity(agents[seq % agents.length], `seq-${seq}`) };
        });
        await writer.append(tx, events);
      });
    }
    const received = await collectMessages(bed.kafka, bed.topic(), total + 1, { timeoutMs: 15000 });
    const sequenced = received.filter((m) => JSON.parse(m.value).action.startsWith('seq-'));
    expect(sequenced).toHaveLength(total);
    for (const agentId of agents) {
      const seqs = sequenced.filter((m) => m.message.key?.toString() === agentId).map((m) => Number(JSON.parse(m.value).action.slice(4)));
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(seqs).toHaveLength(total / agents.length);
    }
  });
});
