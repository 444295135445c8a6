import { EntityManager } from 'typeorm';

import { TopicName, TopicPayloads, Topics } from '@agentgov/contracts';
import { EncodedEvent, OutboxWriter, OutgoingEvent } from '@agentgov/messaging';

import { UsageHistoryRepository } from '../baselines/usage-history.repository';

/**
 * The scoring threads' outbox: besides writing the events, it records each agent.usage.v1 summary's window in the
 * usage history, in the same checkpoint transaction, so the history holds exactly the windows that were summarised
 * (a replay after a crash writes the same rows, once).
 */
export class UsageRecordingOutbox extends OutboxWriter {
  private readonly history = new UsageHistoryRepository();

  override async append<T extends TopicName>(
    manager: EntityManager,
    events: Array<Omit<OutgoingEvent<T>, 'source'> & { source?: string }>,
  ): Promise<EncodedEvent[]> {
    const encoded = await super.append(manager, events);
    const usages = events.filter((e) => e.topic === Topics.AgentUsage).map((e) => e.data as TopicPayloads['agent.usage.v1']);
    if (usages.length > 0) await this.history.record(manager, usages);
    return encoded;
  }
}
