import { randomUUID } from 'node:crypto';

import { uniqueName, waitFor } from '@agentgov/test-support';

import { ConsumerRunner } from '../../src';
import { ACTIVITY, activityMessage, MessagingTestBed, recordEffect } from './messaging-test-bed';

describe('a redelivered event has exactly one effect', () => {
  const bed = new MessagingTestBed();
  let runner: ConsumerRunner | undefined;

  beforeAll(() => bed.setUp(1));
  afterEach(async () => runner?.stop());
  afterAll(() => bed.tearDown());

  function startRunner(groupId: string): ConsumerRunner {
    return new ConsumerRunner({
      kafka: bed.kafka,
      groupId,
      dataSource: bed.dataSource,
      schema: bed.schema,
      topicPrefix: bed.prefix,
      handlers: {
        [ACTIVITY]: async (event, tx) => {
          await recordEffect(bed.schema, event, tx);
        },
      },
    });
  }

  it('applies an event published twice with the same ce_id once, and replaying the whole topic adds nothing', async () => {
    const group = uniqueName('dedupe');
    const agentId = randomUUID();
    const duplicated = activityMessage(agentId, 'crm.read');
    await bed.produce([duplicated, activityMessage(agentId, 'crm.update'), duplicated]);

    runner = startRunner(group);
    await runner.start();
    await waitFor(
      () => bed.committed(group),
      (n) => n === 3,
      { what: 'all three messages consumed' },
    );
    expect((await bed.effects()).map((e) => e.action)).toEqual(['crm.read', 'crm.update']);
    await runner.stop();

    // A crash that lost every commit is the same as the group replaying from the start.
    const admin = bed.kafka.admin();
    await admin.connect();
    await admin.resetOffsets({ groupId: group, topic: bed.topic(), earliest: true });
    await admin.disconnect();
    runner = startRunner(group);
    await runner.start();
    await waitFor(
      () => bed.committed(group),
      (n) => n === 3,
      { what: 'the replay consumed' },
    );
    expect(await bed.effectCount()).toBe(2);
    const [{ n }] = await bed.dataSource.query(`SELECT count(*)::int AS n FROM "${bed.schema}"."inbox"`);
    expect(n).toBe(2);
  });
});
