import { compileContractValidators, eventKey, getEventValidator, validateCloudEventHeaders, validateDlqHeaders, validateEvent } from './event-validator';
import { loadValidFixtures } from './events/event-fixtures';
import { CE_HEADERS, DLQ_HEADERS } from './headers/kafka-headers';
import { dlqTopicOf, isTopicName, TOPIC_CATALOG, TOPIC_NAMES, TopicName, TopicPayloads, Topics } from './topic-catalog';

/** Every string and every non-empty array in a document, with a way to swap each one for something else. */
function leaves(value: unknown, pointer = '', kind: 'string' | 'array'): string[] {
  if (typeof value === 'string') return kind === 'string' ? [pointer] : [];
  if (Array.isArray(value)) {
    const here = kind === 'array' && value.length > 0 ? [pointer] : [];
    return [...here, ...value.flatMap((item, index) => leaves(item, `${pointer}/${index}`, kind))];
  }
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => leaves(item, `${pointer}/${key}`, kind));
  }
  return [];
}

function replaceAt(root: unknown, pointer: string, make: (current: unknown) => unknown): unknown {
  const copy = structuredClone(root) as Record<string, unknown>;
  const segments = pointer.split('/').slice(1);
  let parent: any = copy;
  for (const segment of segments.slice(0, -1)) parent = parent[segment];
  const last = segments[segments.length - 1];
  parent[last] = make(parent[last]);
  return copy;
}

const examples = TOPIC_NAMES.flatMap((topic) => loadValidFixtures(topic).map((fixture) => ({ topic, ...fixture })));

describe('validators', () => {
  it('are compiled once: every call gets the same function instance', () => {
    const first = TOPIC_NAMES.map((topic) => getEventValidator(topic));
    for (const { topic, data } of examples) validateEvent(topic, data);
    compileContractValidators();
    expect(TOPIC_NAMES.map((topic) => getEventValidator(topic))).toEqual(first);
    TOPIC_NAMES.forEach((topic, index) => expect(getEventValidator(topic)).toBe(first[index]));
  });

  it('compile each schema once however many events are validated', () => {
    jest.isolateModules(() => {
      // A fresh copy of ajv and of this library, so the count starts from zero.
      const ajv = require('ajv');
      const compile = jest.spyOn(ajv.default.prototype, 'compile');
      const lib = require('./event-validator') as typeof import('./event-validator');
      expect(compile).not.toHaveBeenCalled();
      for (let round = 0; round < 50; round++) {
        for (const { topic, data } of examples) expect(lib.validateEvent(topic, data).ok).toBe(true);
      }
      // One per topic plus the CloudEvents and DLQ header schemas.
      expect(compile).toHaveBeenCalledTimes(TOPIC_NAMES.length + 2);
      compile.mockRestore();
    });
  });

  it('refuse an unknown topic instead of passing its data', () => {
    expect(() => validateEvent('agent.lifecycle.v0' as TopicName, {})).toThrow(/unknown topic/);
    expect(isTopicName('agent.lifecycle.v1')).toBe(true);
    expect(isTopicName('agent.lifecycle.v1.dlq')).toBe(false);
  });

  it('refuse data that is not an object', () => {
    for (const data of [null, 'x', 42, [], undefined]) {
      const result = validateEvent(Topics.AgentActivity, data);
      expect(result).toEqual({ ok: false, error: expect.stringContaining('(root)') });
    }
  });
});

describe('hostile input', () => {
  const stringCases = examples.flatMap(({ topic, file, data }) => leaves(data, '', 'string').map((pointer) => [topic, file, pointer, data] as const));
  const arrayCases = examples.flatMap(({ topic, file, data }) => leaves(data, '', 'array').map((pointer) => [topic, file, pointer, data] as const));

  it('covers a string in every topic', () => {
    expect(new Set(stringCases.map(([topic]) => topic)).size).toBe(TOPIC_NAMES.length);
  });

  it.each(stringCases)('%s (%s): a 100 kB string at %s is refused, naming the field', (topic, file, pointer, data) => {
    const hostile = replaceAt(data, pointer, () => 'x'.repeat(100_000));
    const result = validateEvent(topic, hostile);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    // A transfer's kind is also what allows newManagerId: with the kind garbled, that cross-field rule fails first.
    const crossField = topic === Topics.IdentityLifecycle && file.startsWith('transferred') && pointer === '/kind';
    expect(result.error).toContain(crossField ? '/newManagerId' : pointer);
  });

  it.each(arrayCases)('%s (%s): an array of 1000 items at %s is refused', (topic, _file, pointer, data) => {
    const hostile = replaceAt(data, pointer, (current) => Array.from({ length: 1000 }, () => (current as unknown[])[0]));
    const result = validateEvent(topic, hostile);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(pointer);
  });

  it('an absurdly nested OCSF attribute is refused without throwing', () => {
    const [alert] = loadValidFixtures(Topics.ContainmentAlert);
    let nested: unknown = 'leaf';
    for (let depth = 0; depth < 100_000; depth++) nested = [nested];
    const hostile = { ...(alert.data as object), ocsf: { ...(alert.data as any).ocsf, evidences: nested } };
    const result = validateEvent(Topics.ContainmentAlert, hostile);
    expect(result.ok).toBe(false);
  });

  it('an oversized property name is refused and the error stays short', () => {
    const [activity] = loadValidFixtures(Topics.AgentActivity);
    const result = validateEvent(Topics.AgentActivity, { ...(activity.data as object), ['k'.repeat(100_000)]: 1 });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toContain('(additionalProperties)');
      expect(result.error.length).toBeLessThan(200);
    }
  });
});

describe('eventKey', () => {
  it.each(examples.map(({ topic, file, data }) => [topic, file, data] as const))('%s (%s): is the value of the key field', (topic, _file, data) => {
    const keyField = TOPIC_CATALOG[topic].keyField;
    const key = eventKey(topic, data as TopicPayloads[typeof topic]);
    expect(key).toBe((data as Record<string, unknown>)[keyField]);
  });

  it('keys identity events by owner and agent events by agent', () => {
    expect(TOPIC_CATALOG[Topics.IdentityLifecycle].keyField).toBe('ownerId');
    for (const topic of TOPIC_NAMES.filter((name) => name !== Topics.IdentityLifecycle)) {
      expect(TOPIC_CATALOG[topic].keyField).toBe('agentId');
    }
  });

  it('throws rather than key a message by an empty value', () => {
    const [usage] = loadValidFixtures(Topics.AgentUsage);
    expect(() => eventKey(Topics.AgentUsage, { ...(usage.data as TopicPayloads['agent.usage.v1']), agentId: '' })).toThrow(/agentId/);
  });
});

describe('DLQ topics', () => {
  it('are the topic name with .dlq appended', () => {
    expect(dlqTopicOf('agent.activity.v1')).toBe('agent.activity.v1.dlq');
  });
});

describe('headers', () => {
  const headers = {
    [CE_HEADERS.id]: '2c9e0f5a-8b7d-4c3e-9f1a-6b5d4c3e2f1a',
    [CE_HEADERS.type]: TOPIC_CATALOG[Topics.AgentLifecycle].eventType,
    [CE_HEADERS.source]: '/agentgov/provisioner',
    [CE_HEADERS.specversion]: '1.0',
    [CE_HEADERS.time]: '2025-03-01T09:30:00.000Z',
    [CE_HEADERS.subject]: '6f1c2a7e-3d1b-4b8a-9c55-0c2f3e4d5a61',
    [CE_HEADERS.contentType]: 'application/json',
    [CE_HEADERS.traceparent]: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  };

  it('accepts a well-formed CloudEvents binary-mode envelope', () => {
    expect(validateCloudEventHeaders(headers).ok).toBe(true);
  });

  it.each([
    ['ce_id missing', { ...headers, [CE_HEADERS.id]: undefined }, '/ce_id'],
    ['wrong specversion', { ...headers, [CE_HEADERS.specversion]: '0.3' }, '/ce_specversion'],
    ['malformed traceparent', { ...headers, [CE_HEADERS.traceparent]: 'not-a-trace' }, '/traceparent'],
    ['oversized ce_id', { ...headers, [CE_HEADERS.id]: 'i'.repeat(201) }, '/ce_id'],
  ])('refuses an envelope with %s', (_name, bad, pointer) => {
    const result = validateCloudEventHeaders(JSON.parse(JSON.stringify(bad)));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(pointer);
  });

  it('checks the headers of a dead letter', () => {
    const dlq = {
      [DLQ_HEADERS.error]: 'schema violation: /agentId: is required (required)',
      [DLQ_HEADERS.originTopic]: 'agent.activity.v1',
      [DLQ_HEADERS.originPartition]: '3',
      [DLQ_HEADERS.originOffset]: '1042',
      [DLQ_HEADERS.attempts]: '1',
      [DLQ_HEADERS.failedAt]: '2025-03-01T09:30:00.000Z',
      [DLQ_HEADERS.consumerGroup]: 'behavior-baseliner',
    };
    expect(validateDlqHeaders(dlq).ok).toBe(true);
    const result = validateDlqHeaders({ ...dlq, [DLQ_HEADERS.originOffset]: '-1' });
    expect(result).toEqual({ ok: false, error: expect.stringContaining('/dlq_origin_offset') });
  });
});
