import { Admin, Consumer, Kafka } from 'kafkajs';

import { uniqueName } from '@agentgov/test-support';

export interface CollectedRecord {
  topic: string;
  partition: number;
  offset: string;
  key?: string;
  valueBytes: number;
  headers: Record<string, string>;
}

/** Reads topics from the beginning for as long as it runs, keeping every record (headers as text). */
export class TopicCollector {
  readonly records: CollectedRecord[] = [];
  private readonly next = new Map<string, bigint>();
  private consumer?: Consumer;

  constructor(
    private readonly kafka: Kafka,
    readonly topics: string[],
  ) {}

  async start(): Promise<void> {
    this.consumer = this.kafka.consumer({ groupId: uniqueName('hostile-observer'), maxWaitTimeInMs: 100 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.topics, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(message.headers ?? {})) {
          const last = Array.isArray(value) ? value[value.length - 1] : value;
          if (last !== undefined && last !== null) headers[name] = last.toString();
        }
        this.records.push({ topic, partition, offset: message.offset, key: message.key?.toString(), valueBytes: message.value?.length ?? 0, headers });
        this.next.set(`${topic}:${partition}`, BigInt(message.offset) + 1n);
      },
    });
  }

  /** True once everything on the topics now has been read. */
  async caughtUp(admin: Admin): Promise<boolean> {
    for (const topic of this.topics) {
      for (const { partition, high, low } of await admin.fetchTopicOffsets(topic)) {
        if (high === low) continue;
        if ((this.next.get(`${topic}:${partition}`) ?? 0n) < BigInt(high)) return false;
      }
    }
    return true;
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

/** Messages not yet committed by the groups on the topics (all partitions). */
export async function uncommitted(admin: Admin, subscriptions: Array<{ group: string; topic: string }>): Promise<Record<string, number>> {
  const behind: Record<string, number> = {};
  for (const { group, topic } of subscriptions) {
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    let lag = 0;
    for (const { partition, high, low } of ends) {
      const at = committed?.partitions.find((p) => p.partition === partition)?.offset ?? '-1';
      const from = at === '-1' ? BigInt(low) : BigInt(at);
      lag += Number(BigInt(high) - from > 0n ? BigInt(high) - from : 0n);
    }
    if (lag > 0) behind[`${group} ${topic}`] = lag;
  }
  return behind;
}
