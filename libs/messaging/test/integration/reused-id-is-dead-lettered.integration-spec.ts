import { randomUUID } from 'node:crypto';

import { DLQ_HEADERS } from '@agentgov/contracts';
import { collectMessages, uniqueName, waitFor } from '@agentgov/test-support';

import { ConsumerRunner } from '../../src';
import { ACTIVITY, activityMessage, MessagingTestBed, recordEffect } from './messaging-test-bed';

/**
 * Id squatting: whoever may write a topic sends, ahead of a real event, another event carrying the real one's id.
 * The inbox used to key on the id alone, so the real event became a silent "duplicate". Now a repeated id counts as a
 * duplicate only with the same content; with other content it is dead-lettered with the reason, never dropped.
 */
describe('an event id reused with different content', () => {
  const bed = new MessagingTestBed();
  let runner: ConsumerRunner | undefined;

  beforeAll(() => bed.setUp(1));
  afterEach(async () => runner?.stop());
  afterAll(() => bed.tearDown());

  it('is dead-lettered with its reason, while a true redelivery stays a quiet duplicate', async () => {
    const agentId = randomUUID();
    const id = randomUUID();
    const squatter = activityMessage(agentId, 'crm.read', id);
    const real = activityMessage(agentId, 'records.export', id);
    const redelivered = activityMessage(agentId, 'crm.update');
    await bed.produce([squatter, real, redelivered, redelivered]);

    const group = uniqueName('squat');
    runner = new ConsumerRunner({
      kafka: bed.kafka,
      groupId: group,
      dataSource: bed.dataSource,
      schema: bed.schema,
      topicPrefix: bed.prefix,
      handlers: { [ACTIVITY]: (event, tx) => recordEffect(bed.schema, event, tx) },
    });
    await runner.start();
    await waitFor(
      () => bed.committed(group),
      (n) => n === 4,
      { what: 'all four messages consumed' },
    );

    // The first holder of the id took effect once; the redelivery added nothing; the real event is in the DLQ.
    expect((await bed.effects()).map((e) => e.action)).toEqual(['crm.read', 'crm.update']);
    const dead = await collectMessages(bed.kafka, `${bed.topic()}.dlq`, 1);
    expect(dead).toHaveLength(1);
    expect((JSON.parse(dead[0]!.value) as { action: string }).action).toBe('records.export');
    expect(dead[0]!.headers[DLQ_HEADERS.error]).toMatch(new RegExp(`event id ${id} was already used by another event .* with different content`));
  });
});
