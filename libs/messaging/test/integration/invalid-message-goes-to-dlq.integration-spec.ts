import { randomUUID } from 'node:crypto';

import { DLQ_HEADERS } from '@agentgov/contracts';
import { collectMessages, uniqueName, waitFor } from '@agentgov/test-support';

import { ConsumerRunner, NonRetryableError } from '../../src';
import { ACTIVITY, activityMessage, MessagingTestBed, recordEffect } from './messaging-test-bed';

describe('bad messages go to the DLQ and the partition moves on', () => {
  const bed = new MessagingTestBed();
  let runner: ConsumerRunner | undefined;
  const attemptsByAction = new Map<string, number>();

  beforeAll(() => bed.setUp(1));
  afterEach(async () => runner?.stop());
  afterAll(() => bed.tearDown());

  it('dead-letters malformed, invalid and always-failing messages with a readable reason and processes the valid ones in order', async () => {
    const agentId = randomUUID();
    const valid = (action: string) => activityMessage(agentId, action);
    const schemaViolation = activityMessage(agentId, 'crm.read');
    schemaViolation.value = JSON.stringify({ agentId, action: 'crm.read' }); // missing required fields
    const notJson = activityMessage(agentId, 'crm.read');
    notJson.value = '{"agentId": ';
    const wrongType = activityMessage(agentId, 'crm.read');
    wrongType.headers = { ...(wrongType.headers as Record<string, string>), ce_type: 'something.else' };

    await bed.produce([
      valid('step-1'),
      notJson,
      valid('step-2'),
      schemaViolation,
      valid('always-fails'),
      valid('step-3'),
      wrongType,
      valid('flaky'),
      valid('refused'),
      valid('step-4'),
    ]);

    const group = uniqueName('dlq');
    runner = new ConsumerRunner({
      kafka: bed.kafka,
      groupId: group,
      dataSource: bed.dataSource,
      schema: bed.schema,
      topicPrefix: bed.prefix,
      retry: { attempts: 3, initialBackoffMs: 20, maxBackoffMs: 50 },
      handlers: {
        [ACTIVITY]: async (event, tx) => {
          const action = event.data.action;
          const attempts = (attemptsByAction.get(action) ?? 0) + 1;
          attemptsByAction.set(action, attempts);
          // The effect is written first, so a failure afterwards proves the rollback too.
          await recordEffect(bed.schema, event, tx);
          if (action === 'always-fails') throw new Error('downstream said no');
          if (action === 'flaky' && attempts < 3) throw new Error('transient glitch');
          if (action === 'refused') throw new NonRetryableError('agent is unknown');
        },
      },
    });
    await runner.start();
    await waitFor(
      () => bed.committed(group),
      (n) => n === 10,
      { what: 'all ten messages consumed' },
    );

    expect((await bed.effects()).map((e) => e.action)).toEqual(['step-1', 'step-2', 'step-3', 'flaky', 'step-4']);
    expect(attemptsByAction.get('always-fails')).toBe(3);
    expect(attemptsByAction.get('refused')).toBe(1);

    const dead = await collectMessages(bed.kafka, `${bed.topic()}.dlq`, 5);
    expect(dead).toHaveLength(5);
    const reasons = dead.map((d) => d.headers[DLQ_HEADERS.error]);
    expect(reasons[0]).toMatch(/not JSON/);
    expect(reasons[1]).toMatch(/schema violation/);
    expect(reasons[1]).toMatch(/occurredAt|resourceType|recordsTouched|outcome/);
    expect(reasons[2]).toMatch(/downstream said no/);
    expect(reasons[3]).toMatch(/ce_type/);
    expect(reasons[4]).toMatch(/agent is unknown/);
    expect(dead.map((d) => d.headers[DLQ_HEADERS.originOffset])).toEqual(['1', '3', '4', '6', '8']);
    for (const d of dead) {
      expect(d.headers[DLQ_HEADERS.originTopic]).toBe(bed.topic());
      expect(d.headers[DLQ_HEADERS.originPartition]).toBe('0');
      expect(d.headers[DLQ_HEADERS.consumerGroup]).toBe(group);
    }
    expect(dead[2].headers[DLQ_HEADERS.attempts]).toBe('3');
    // The original record is kept whole, so the DLQ can be replayed once the cause is fixed.
    expect(dead[0].value).toBe('{"agentId": ');
  });
});
