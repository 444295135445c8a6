import { randomUUID } from 'node:crypto';

import { context, propagation } from '@opentelemetry/api';
import { IHeaders, KafkaMessage } from 'kafkajs';

import {
  CE_HEADERS,
  TOPIC_CATALOG,
  TopicName,
  TopicPayloads,
  UNSTORABLE_TEXT_DETAIL,
  eventKey,
  findUnstorableText,
  validateEvent,
} from '@agentgov/contracts';

/** An event as a service hands it to the outbox. */
export interface OutgoingEvent<T extends TopicName = TopicName> {
  topic: T;
  data: TopicPayloads[T];
  /** ce_source: the producing service, as a URI reference such as "/agentgov/provisioner". */
  source: string;
  /** ce_id; a fresh UUID when omitted. Give a deterministic id when the same cause may be replayed. */
  id?: string;
  time?: Date;
  subject?: string;
}

/** An event as a handler receives it: decoded, validated, with where it came from. */
export interface ConsumedEvent<T extends TopicName = TopicName> {
  id: string;
  type: string;
  source: string;
  time: string;
  subject?: string;
  topic: T;
  partition: number;
  offset: string;
  key: string;
  data: TopicPayloads[T];
  headers: Record<string, string>;
}

/** The Kafka record of an outgoing event: key, JSON value, CloudEvents binary-mode headers. */
export interface EncodedEvent {
  id: string;
  topic: string;
  key: string;
  value: string;
  headers: Record<string, string>;
}

export class EventDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EventDecodeError';
  }
}

/** Upper bound on a message value we are willing to parse; anything larger goes to the DLQ. */
export const MAX_EVENT_BYTES = 256 * 1024;

/**
 * Validates and encodes an event. Validation here catches a producing bug at the point where it is made,
 * instead of at every consumer. The active trace context is injected so one trace follows the event.
 */
export function encodeEvent<T extends TopicName>(event: OutgoingEvent<T>): EncodedEvent {
  const result = validateEvent(event.topic, event.data);
  if (!result.ok) {
    throw new Error(`refusing to emit an invalid ${event.topic} event: ${result.error}`);
  }
  const id = event.id ?? randomUUID();
  const key = eventKey(event.topic, event.data);
  const headers: Record<string, string> = {
    [CE_HEADERS.id]: id,
    [CE_HEADERS.type]: TOPIC_CATALOG[event.topic].eventType,
    [CE_HEADERS.source]: event.source,
    [CE_HEADERS.specversion]: '1.0',
    [CE_HEADERS.time]: (event.time ?? new Date()).toISOString(),
    [CE_HEADERS.contentType]: 'application/json',
    [CE_HEADERS.subject]: event.subject ?? key,
  };
  propagation.inject(context.active(), headers);
  return { id, topic: event.topic, key, value: JSON.stringify(event.data), headers };
}

export function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  for (const [name, raw] of Object.entries(headers)) {
    const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (value === undefined || value === null) continue;
    out[name] = Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
  }
  return out;
}

/**
 * Decodes a Kafka record into a validated event, or throws EventDecodeError with a reason an operator
 * can read in the DLQ header.
 */
export function decodeMessage<T extends TopicName>(topic: T, partition: number, message: KafkaMessage): ConsumedEvent<T> {
  // Only the headers checked here are decoded per message (a busy consumer decodes hundreds of thousands a
  // second); the others are decoded when a handler reads them.
  const id = headerOf(message.headers, CE_HEADERS.id);
  if (!id) throw new EventDecodeError(`missing header ${CE_HEADERS.id}`);
  if (id.length > 200) throw new EventDecodeError(`header ${CE_HEADERS.id} longer than 200 characters`);
  const spec = TOPIC_CATALOG[topic];
  if (!spec) throw new EventDecodeError(`topic ${topic} is not in the catalog`);
  const type = headerOf(message.headers, CE_HEADERS.type);
  if (type !== spec.eventType) {
    throw new EventDecodeError(`header ${CE_HEADERS.type} is "${truncate(type)}", expected "${spec.eventType}"`);
  }
  const specversion = headerOf(message.headers, CE_HEADERS.specversion);
  if (specversion !== '1.0') throw new EventDecodeError(`header ${CE_HEADERS.specversion} must be "1.0"`);
  if (!message.value || message.value.length === 0) throw new EventDecodeError('message has no value');
  if (message.value.length > MAX_EVENT_BYTES) {
    throw new EventDecodeError(`message value is ${message.value.length} bytes, above the ${MAX_EVENT_BYTES} byte limit`);
  }
  const text = message.value.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new EventDecodeError(`value is not JSON: ${(error as Error).message}`);
  }
  const result = validateEvent(topic, parsed);
  if (!result.ok) throw new EventDecodeError(`schema violation: ${result.error}`);
  // Only a \u escape can put a NUL or a lone surrogate in a string (raw UTF-8 cannot): most events skip the walk.
  if (text.includes('\\u')) {
    const at = findUnstorableText(result.value);
    if (at !== undefined) throw new EventDecodeError(`${at}: ${UNSTORABLE_TEXT_DETAIL}`);
  }
  const expectedKey = eventKey(topic, result.value);
  const key = message.key?.toString('utf8') ?? '';
  if (key !== expectedKey) {
    // A wrong key would put this subject's events on two partitions and break per-subject ordering.
    throw new EventDecodeError(`message key "${truncate(key)}" does not match ${spec.keyField} "${truncate(expectedKey)}"`);
  }
  // The key from the payload, not its equal copy from the record: one string object per event means its hash is
  // computed once however many maps a consumer looks it up in.
  return new DecodedEvent<T>(message, id, type, topic, partition, expectedKey, result.value);
}

/**
 * A decoded event. Headers not checked at decoding are read from the record when asked for; they are prototype
 * getters rather than getters of an object literal, which would allocate a closure per getter for every event.
 */
class DecodedEvent<T extends TopicName> implements ConsumedEvent<T> {
  readonly offset: string;
  /** (A private field: not an own property that spreads, equality checks or JSON would see.) */
  readonly #message: KafkaMessage;

  constructor(
    message: KafkaMessage,
    readonly id: string,
    readonly type: string,
    readonly topic: T,
    readonly partition: number,
    readonly key: string,
    readonly data: TopicPayloads[T],
  ) {
    this.#message = message;
    this.offset = message.offset;
  }

  get source(): string {
    return headerOf(this.#message.headers, CE_HEADERS.source) ?? '';
  }

  get time(): string {
    return headerOf(this.#message.headers, CE_HEADERS.time) ?? new Date(Number(this.#message.timestamp)).toISOString();
  }

  get subject(): string | undefined {
    return headerOf(this.#message.headers, CE_HEADERS.subject);
  }

  get headers(): Record<string, string> {
    return headersToStrings(this.#message.headers);
  }

  /** JSON sees every field (getters on a prototype are not own properties). */
  toJSON(): ConsumedEvent<T> {
    return { id: this.id, type: this.type, source: this.source, time: this.time, subject: this.subject, topic: this.topic, partition: this.partition, offset: this.offset, key: this.key, data: this.data, headers: this.headers };
  }
}

/** One header as a string (the last value when repeated), as headersToStrings would give it. */
function headerOf(headers: IHeaders | undefined, name: string): string | undefined {
  const raw = headers?.[name];
  const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
  if (value === undefined || value === null) return undefined;
  return Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
}

function truncate(value: string | undefined, max = 80): string {
  if (value === undefined) return '';
  return value.length > max ? `${value.slice(0, max)}…` : value;
}
