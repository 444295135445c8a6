import { randomUUID } from 'node:crypto';

import { context, propagation } from '@opentelemetry/api';
import { IHeaders, KafkaMessage } from 'kafkajs';

import {
  CE_HEADERS,
  CE_SPECVERSION,
  eventKey,
  findUnstorableText,
  TOPIC_CATALOG,
  TopicName,
  TopicPayloads,
  UNSTORABLE_TEXT_DETAIL,
  validateEvent,
} from '@agentgov/contracts';

import { isUtf8Of } from './utf8-bytes';

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
  for (const name of Object.keys(headers)) {
    const value = headerOf(headers, name);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/**
 * Decodes a Kafka record into a validated event, or throws EventDecodeError with a reason an operator
 * can read in the DLQ header.
 */
export function decodeMessage<T extends TopicName>(topic: T, partition: number, message: KafkaMessage): ConsumedEvent<T> {
  const headers = message.headers;
  // Only the id is decoded here; the type, spec version and key are compared as bytes (a busy consumer decodes
  // hundreds of thousands of events a second, and each string decoded is a native call and an allocation). The
  // other headers are decoded when a handler reads them.
  const id = headerOf(headers, H_ID);
  if (!id) throw new EventDecodeError(`missing header ${H_ID}`);
  if (id.length > 200) throw new EventDecodeError(`header ${H_ID} longer than 200 characters`);
  const spec = TOPIC_CATALOG[topic];
  if (!spec) throw new EventDecodeError(`topic ${topic} is not in the catalog`);
  if (!headerEquals(headers, H_TYPE, spec.eventType)) {
    throw new EventDecodeError(`header ${H_TYPE} is "${truncate(headerOf(headers, H_TYPE))}", expected "${spec.eventType}"`);
  }
  if (!headerEquals(headers, H_SPECVERSION, CE_SPECVERSION)) throw new EventDecodeError(`header ${H_SPECVERSION} must be "${CE_SPECVERSION}"`);
  const value = message.value;
  if (!value || value.length === 0) throw new EventDecodeError('message has no value');
  if (value.length > MAX_EVENT_BYTES) {
    throw new EventDecodeError(`message value is ${value.length} bytes, above the ${MAX_EVENT_BYTES} byte limit`);
  }
  const text = value.toString('utf8');
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
  if (!isUtf8Of(message.key, expectedKey)) {
    // A wrong key would put this subject's events on two partitions and break per-subject ordering.
    const key = message.key?.toString('utf8') ?? '';
    throw new EventDecodeError(`message key "${truncate(key)}" does not match ${spec.keyField} "${truncate(expectedKey)}"`);
  }
  // The key from the payload, not a decoded copy of the record's: one string object per event means its hash is
  // computed once however many maps a consumer looks it up in.
  return new DecodedEvent<T>(message, id, spec.eventType, topic, partition, expectedKey, result.value);
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
    return {
      id: this.id,
      type: this.type,
      source: this.source,
      time: this.time,
      subject: this.subject,
      topic: this.topic,
      partition: this.partition,
      offset: this.offset,
      key: this.key,
      data: this.data,
      headers: this.headers,
    };
  }
}

// The header names as local constants: an imported binding is read through a getter on every use.
const H_ID = CE_HEADERS.id;
const H_TYPE = CE_HEADERS.type;
const H_SPECVERSION = CE_HEADERS.specversion;

/** One header as a string (the last value when repeated), as headersToStrings would give it. */
function headerOf(headers: IHeaders | undefined, name: string): string | undefined {
  const value = lastValueOf(headers, name);
  if (value === undefined) return undefined;
  return Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
}

/** Whether a header (its last value when repeated) is exactly `expected`. */
function headerEquals(headers: IHeaders | undefined, name: string, expected: string): boolean {
  const value = lastValueOf(headers, name);
  if (value === undefined) return false;
  return Buffer.isBuffer(value) ? isUtf8Of(value, expected) : String(value) === expected;
}

/** A header's raw value; the last one when the header is repeated. */
function lastValueOf(headers: IHeaders | undefined, name: string): Buffer | string | undefined {
  const raw = headers?.[name];
  const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
  return value === null ? undefined : value;
}

function truncate(value: string | undefined, max = 80): string {
  if (value === undefined) return '';
  return value.length > max ? `${value.slice(0, max)}…` : value;
}
