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
  return {
    key: Buffer.from(encoded.key),
    value: Buffer.from(edit(encoded.value)),
    headers,
    offset: '0',
    timestamp: '0',
    attributes: 0,
  } as unknown as KafkaMessage;
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

describe('decodeMessage compares the type, spec version and key as bytes', () => {
  const withHeader = (name: string, value: Buffer | string | Buffer[]) => {
    const message = record();
    (message.headers as Record<string, unknown>)[name] = value;
    return message;
  };

  it.each([
    ['another type', Buffer.from('agentgov.agent.lifecycle.v1')],
    ['a longer type', Buffer.from('agentgov.agent.activity.v1x')],
    ['a shorter type', Buffer.from('agentgov.agent.activity')],
    ['the type in capitals', Buffer.from('AGENTGOV.AGENT.ACTIVITY.V1')],
  ])('refuses %s, naming it', (_name, type) => {
    expect(() => decode(withHeader('ce_type', type))).toThrow(`header ce_type is "${type.toString()}", expected "agentgov.agent.activity.v1"`);
  });

  it('takes the last value of a repeated header, and accepts a header given as a string', () => {
    expect(decode(withHeader('ce_type', [Buffer.from('other'), Buffer.from('agentgov.agent.activity.v1')])).type).toBe('agentgov.agent.activity.v1');
    expect(() => decode(withHeader('ce_type', [Buffer.from('agentgov.agent.activity.v1'), Buffer.from('other')]))).toThrow(EventDecodeError);
    expect(decode(withHeader('ce_specversion', '1.0')).id).toBeTruthy();
  });

  it.each(['1', '1.00', '0.3', ''])('refuses spec version "%s"', (version) => {
    expect(() => decode(withHeader('ce_specversion', Buffer.from(version)))).toThrow('header ce_specversion must be "1.0"');
  });

  it.each([
    ['a prefix of the agent id', (key: string) => key.slice(0, -1)],
    ['the agent id and one more byte', (key: string) => `${key}0`],
    ['the agent id in capitals', (key: string) => key.toUpperCase()],
    ['no key', () => null],
  ])('refuses a record whose key is %s, naming it', (_name, edit) => {
    const message = record();
    const key = edit(agentId);
    message.key = key === null ? null : Buffer.from(key);

    expect(() => decode(message)).toThrow(`message key "${key ?? ''}" does not match agentId "${agentId}"`);
  });
});
