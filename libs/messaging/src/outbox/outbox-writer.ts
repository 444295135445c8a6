import { EntityManager } from 'typeorm';

import { TopicName } from '@agentgov/contracts';
import { assertSqlIdentifier } from '@agentgov/persistence';

import { EncodedEvent, encodeEvent, OutgoingEvent } from '../event-envelope';

// 5 parameters a row; Postgres allows 65535 bind parameters a statement.
const ROWS_PER_STATEMENT = 1000;

/**
 * The only way a service emits events: rows written in the caller's transaction, so an event exists
 * exactly when the state change that caused it was committed. The relay publishes them afterwards.
 * An event whose id is already waiting in the outbox (the same cause delivered twice) is not written again.
 */
export class OutboxWriter {
  private readonly table: string;

  constructor(
    schema: string,
    private readonly source: string,
    /** Prepended to topic names; see ConsumerRunnerOptions.topicPrefix. */
    private readonly topicPrefix = '',
  ) {
    this.table = `"${assertSqlIdentifier(schema)}"."outbox"`;
  }

  async append<T extends TopicName>(manager: EntityManager, events: Array<Omit<OutgoingEvent<T>, 'source'> & { source?: string }>): Promise<EncodedEvent[]> {
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error('OutboxWriter.append must run inside the transaction that changes the state it announces');
    }
    const encoded = events.map((event) => encodeEvent({ ...event, source: event.source ?? this.source } as OutgoingEvent<T>));
    for (let start = 0; start < encoded.length; start += ROWS_PER_STATEMENT) {
      const chunk = encoded.slice(start, start + ROWS_PER_STATEMENT);
      const params: unknown[] = [];
      const rows = chunk.map((e, i) => {
        params.push(e.id, this.topicPrefix + e.topic, e.key, e.value, JSON.stringify(e.headers));
        const b = i * 5;
        return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}::jsonb)`;
      });
      await manager.query(
        `INSERT INTO ${this.table} ("event_id", "topic", "key", "value", "headers") VALUES ${rows.join(', ')} ON CONFLICT ("event_id") DO NOTHING`,
        params,
      );
    }
    return encoded;
  }
}
