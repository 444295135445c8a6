import { randomUUID } from 'node:crypto';

import { IHeaders, Kafka, logLevel, Partitioners, Producer } from 'kafkajs';

import { TopicName, TopicPayloads } from '@agentgov/contracts';
import { encodeEvent, kafkaConnectionOptions } from '@agentgov/messaging';
import { LOCAL_SECURE_BROKERS, localBrokerSecurity } from '@agentgov/test-support';

/** A Kafka record as a producer sends it. */
export interface BusRecord {
  key: string | null;
  value: Buffer | string | null;
  headers: Record<string, string>;
  /** The ce_id it carries (for the assertions). */
  ceId?: string;
}

/** What the broker answered one send: where the records were written, or why it refused them. */
export type SendOutcome = { written: true; partition: number; offset: string } | { written: false; refusal: string };

/** A valid CloudEvent of the topic, encoded as every producer of the system encodes it. */
export function eventRecord<T extends TopicName>(topic: T, data: TopicPayloads[T], options: { id?: string; source?: string } = {}): BusRecord {
  const id = options.id ?? randomUUID();
  const encoded = encodeEvent({ topic, data, source: options.source ?? '/hostile-tests', id });
  return { key: encoded.key, value: encoded.value, headers: encoded.headers, ceId: id };
}

/** The same record under another ce_id (what a sender's re-send with a fresh id looks like). */
export function withCeId(record: BusRecord, ceId: string): BusRecord {
  return { ...record, headers: { ...record.headers, ce_id: ceId }, ceId };
}

/** Record headers as text (the last value of a repeated header). */
export function headerText(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (last !== undefined && last !== null) out[name] = last.toString();
  }
  return out;
}

/**
 * One principal of the access table (`libs/messaging/src/kafka/kafka-access.ts`) producing on the broker's
 * locked-down listener (TLS, SCRAM-SHA-512, no access without an ACL) exactly as that party would: an HR bridge,
 * an agent gateway, or someone holding their credentials. What the broker lets it write, and refuses, is the
 * broker's decision, not the test's.
 */
export class BusPrincipal {
  private readonly kafka: Kafka;
  private producer?: Producer;

  constructor(
    readonly principal: string,
    private readonly topicPrefix: string,
  ) {
    this.kafka = new Kafka({
      clientId: `hostile-${principal}`,
      brokers: LOCAL_SECURE_BROKERS,
      ...kafkaConnectionOptions(localBrokerSecurity(principal)),
      connectionTimeout: 5000,
      // A refusal must come back as the broker's answer, not be retried into a timeout.
      retry: { retries: 0 },
      logLevel: logLevel.NOTHING,
    });
  }

  async connect(): Promise<void> {
    this.producer = this.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, retry: { retries: 0 } });
    await this.producer.connect();
  }

  async disconnect(): Promise<void> {
    await this.producer?.disconnect();
  }

  /** Sends the records (to one partition of the topic, chosen by key, or the one given) and says what the broker did. */
  async send(topic: string, records: BusRecord[], partition?: number): Promise<SendOutcome> {
    if (!this.producer) throw new Error(`${this.principal} is not connected`);
    try {
      const [meta] = await this.producer.send({
        topic: this.topicPrefix + topic,
        acks: -1,
        messages: records.map((r) => ({ key: r.key, value: r.value, headers: r.headers, ...(partition === undefined ? {} : { partition }) })),
      });
      return { written: true, partition: meta!.partition, offset: meta!.baseOffset ?? '-1' };
    } catch (error) {
      return { written: false, refusal: brokerErrorType(error) };
    }
  }

  /** Sends each record on its own; throws unless the broker took every one (for what the principal may write). */
  async sendAll(topic: string, records: BusRecord[]): Promise<Array<{ partition: number; offset: string }>> {
    const out: Array<{ partition: number; offset: string }> = [];
    for (const record of records) {
      const outcome = await this.send(topic, [record]);
      if (!outcome.written) throw new Error(`${this.principal} was refused ${topic}: ${outcome.refusal}`);
      out.push(outcome);
    }
    return out;
  }
}

/** The broker's error type (e.g. TOPIC_AUTHORIZATION_FAILED), found under kafkajs's wrappers. */
function brokerErrorType(error: unknown): string {
  let e = error as { type?: string; cause?: unknown; originalError?: unknown; message?: string } | undefined;
  for (let depth = 0; e && depth < 5; depth++) {
    if (e.type) return e.type;
    e = (e.cause ?? e.originalError) as typeof e;
  }
  return String((error as Error)?.message ?? error);
}
