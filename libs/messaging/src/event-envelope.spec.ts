import { randomUUID } from 'node:crypto';

import { KafkaMessage } from 'kafkajs';

import { Topics } from '@agentgov/contracts';

import { decodeMessage, encodeEvent, EventDecodeError } from './event-envelope';

const agentId = randomUUID();

/** The record of a valid activity event whose JSON text is then edited, as a hostile or buggy producer might. */
function record(edit: (json: string) => string = (json) => json): KafkaMessage {
  const encoded = encodeEvent({
    topic: Topics.AgentActivity,
    source: '/tests',
    data: { agentId, occurredAt: '2026-01-01T10:00:00Z', action: 'crm.read', resourceType: 'crm.contact', recordsTouched: 1, outcome: 'allowed' },
  });
  const headers = Object.fromEntries(Object.entries(encoded.headers).map(([k, v]) => [k, Buffer.from(v)]));
  return { key: Buffer.from(encoded.key), value: Buffer.from(edit(encoded.value)), headers, offset: '0', timestamp: '0', attributes: 0 } as unknown as KafkaMessage;
}

const decode = (message: KafkaMessage) => decodeMessage(Topics.AgentActivity, 0, message);

describe('decodeMessage and text Postgres cannot store', () => {
  it.each([
    ['an escaped NUL', '"crm.read\\u0000"'],
    ['a lone high surrogate', '"crm.read\\ud800"'],
    ['a lone low surrogate', '"\\udc00crm.read"'],
    ['surrogates in the wrong order', '"\\ude00\\ud83d"'],
  ])('refuses a schema-valid event whose text has %s, naming the field', (_name, action) => {
    const message = record((json) => json.replace('"crm.read"', action));

    expect(() => decode(message)).toThrow(EventDecodeError);
    expect(() => decode(message)).toThrow('/action: contains a NUL character or an unpaired surrogate, which cannot be stored');
  });

  it.each([
    ['an escaped surrogate pair', '"crm.read \\ud83d\\ude00"', 'crm.read 😀'],
    ['an escaped backslash before u0000 (the text \\u0000, not a NUL)', '"crm.read\\\\u0000"', 'crm.read\\u0000'],
    ['other escapes', '"crm.r\\u00e9ad\\t"', 'crm.réad\t'],
  ])('accepts %s', (_name, action, decoded) => {
    expect(decode(record((json) => json.replace('"crm.read"', action))).data.action).toBe(decoded);
  });
});

describe('a decoded event', () => {
  it('reads the headers it did not check from the record, and shows every field to JSON but not the record', () => {
    const message = record();
    const event = decode(message);
    const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));

    expect(event.source).toBe('/tests');
    expect(event.subject).toBe(agentId);
    expect(event.time).toBe(headers['ce_time']);
    expect(event.headers).toEqual(headers);
    expect(Object.keys(event)).not.toContain('message');
    expect(JSON.parse(JSON.stringify(event))).toEqual({
      id: headers['ce_id'],
      type: 'agentgov.agent.activity.v1',
      source: '/tests',
      time: headers['ce_time'],
      subject: agentId,
      topic: Topics.AgentActivity,
      partition: 0,
      offset: '0',
      key: agentId,
      data: event.data,
      headers,
    });
  });

  it('takes its time from the record when the producer sent no ce_time', () => {
    const message = record();
    delete (message.headers as Record<string, unknown>)['ce_time'];
    message.timestamp = String(Date.parse('2026-01-02T03:04:05.000Z'));

    expect(decode(message).time).toBe('2026-01-02T03:04:05.000Z');
  });
});
