import { Topics } from '@agentgov/contracts';

import { KeyedStateHandler, KeyedStateRunner, KeyedStateRunnerOptions, keyedStateWakeUpSql, OutboxWriter, statefulConsumerTablesUpSql } from '../../src';
import { ACTIVITY, MessagingTestBed } from './messaging-test-bed';

export interface CountState {
  events: number;
  records: number;
}

/** Counts each agent's events and records, and emits a milestone event at every 50th, with an id from its cause. */
export const countingHandler: KeyedStateHandler<typeof ACTIVITY, CountState> = {
  initial: () => ({ events: 0, records: 0 }),
  apply(state, event, emit) {
    state.events += 1;
    state.records += event.data.recordsTouched;
    if (state.events % 50 === 0) {
      emit({
        topic: Topics.AgentUsage,
        id: `${event.id}:milestone`,
        data: {
          agentId: event.data.agentId,
          windowStart: event.data.occurredAt,
          windowEnd: event.data.occurredAt,
          lastSeenAt: event.data.occurredAt,
          actions: state.events,
          toolsUsed: [],
          scopesUsed: [],
          resourceTypes: [],
        },
      });
    }
  },
  toJSON: (state) => state,
  fromJSON: (json) => ({ ...(json as CountState) }),
};

/** A runner of `countingHandler` (or another handler) over the bed's activity topic, schema and outbox. */
export function countingRunner(
  bed: MessagingTestBed,
  groupId: string,
  options: Partial<Omit<KeyedStateRunnerOptions<typeof ACTIVITY, CountState>, 'groupId'>> = {},
): KeyedStateRunner<typeof ACTIVITY, CountState> {
  return new KeyedStateRunner({
    kafka: bed.kafka,
    groupId,
    topic: ACTIVITY,
    topicPrefix: bed.prefix,
    dataSource: bed.dataSource,
    schema: bed.schema,
    handler: countingHandler,
    outbox: new OutboxWriter(bed.schema, '/tests/keyed-state', bed.prefix),
    ...options,
  });
}

export async function setUpKeyedState(bed: MessagingTestBed): Promise<void> {
  for (const sql of [...statefulConsumerTablesUpSql(bed.schema), ...keyedStateWakeUpSql(bed.schema)]) await bed.dataSource.query(sql);
}

/** Sum of the checkpointed offsets of a group: how many events its saved state covers. */
export async function covered(bed: MessagingTestBed, group: string): Promise<number> {
  const [{ n }] = await bed.dataSource.query(
    `SELECT COALESCE(sum("next_offset"), 0)::int AS n FROM "${bed.schema}"."partition_checkpoints" WHERE "consumer" = $1`,
    [group],
  );
  return n;
}

export async function savedCounts(bed: MessagingTestBed, group: string): Promise<Map<string, CountState>> {
  const rows: Array<{ key: string; state: CountState }> = await bed.dataSource.query(
    `SELECT "key", "state" FROM "${bed.schema}"."keyed_state" WHERE "consumer" = $1`,
    [group],
  );
  return new Map(rows.map((r) => [r.key, r.state]));
}
