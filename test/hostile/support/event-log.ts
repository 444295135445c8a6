import { Admin, Consumer, Kafka } from 'kafkajs';

import { uniqueName, waitFor } from '@agentgov/test-support';

import { headerText } from './bus-principal';

export interface LoggedRecord {
  /** Without the run's prefix (a dead-letter topic keeps its `.dlq`). */
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  ceId?: string;
  /** The JSON body, when it is JSON. */
  data?: any;
}

/**
 * Every record of the topics, from the beginning, as any other reader of the cluster sees them (a consumer group
 * of its own on the operator's listener), kept whole: what the services announced, and what the consumers
 * dead-lettered, byte for byte.
 */
export class EventLog {
  readonly records: LoggedRecord[] = [];
  private consumer?: Consumer;
  private readonly next = new Map<string, bigint>();

  constructor(
    private readonly kafka: Kafka,
    private readonly prefix: string,
    private readonly topics: string[],
  ) {}

  async start(): Promise<void> {
    this.consumer = this.kafka.consumer({ groupId: uniqueName('hostile-event-log'), maxWaitTimeInMs: 100 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.topics.map((t) => this.prefix + t), fromBeginning: true });
    let joined: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => (joined = resolve));
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => joined());
    await this.consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const headers = headerText(message.headers);
        let data: unknown;
        try {
          data = message.value ? JSON.parse(message.value.toString('utf8')) : undefined;
        } catch {
          data = undefined;
        }
        this.records.push({
          topic: topic.slice(this.prefix.length),
          partition,
          offset: message.offset,
          key: message.key?.toString('utf8') ?? null,
          value: message.value ?? null,
          headers,
          ceId: headers['ce_id'],
          data,
        });
        this.next.set(`${topic}:${partition}`, BigInt(message.offset) + 1n);
      },
    });
    await ready;
  }

  /** Until everything on the topics now has been read. */
  async caughtUp(admin: Admin): Promise<void> {
    const behind = async () => {
      for (const topic of this.topics) {
        for (const { partition, high, low } of await admin.fetchTopicOffsets(this.prefix + topic)) {
          if (high !== low && (this.next.get(`${this.prefix}${topic}:${partition}`) ?? BigInt(low)) < BigInt(high)) return true;
        }
      }
      return false;
    };
    await waitFor(behind, (b) => !b, { timeoutMs: 30000, what: 'the event log to read every topic to its end' });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }

  of(topic: string, where: (record: LoggedRecord) => boolean = () => true): LoggedRecord[] {
    return this.records.filter((r) => r.topic === topic && where(r));
  }

  /** Records carrying any of these ce_ids, on any topic read. */
  withIds(ids: readonly string[]): LoggedRecord[] {
    const wanted = new Set(ids);
    return this.records.filter((r) => r.ceId !== undefined && wanted.has(r.ceId));
  }
}
