import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { parse } from 'yaml';

import { DLQ_PARTITIONS, dlqTopicOf, isTopicName, TOPIC_CATALOG, TOPIC_NAMES, TopicName } from './topic-catalog';

const LIB_ROOT = resolve(__dirname, '..');
const doc = parse(readFileSync(join(LIB_ROOT, 'asyncapi.yaml'), 'utf8'));

function deref(ref: string): any {
  if (ref.startsWith('#/'))
    return ref
      .slice(2)
      .split('/')
      .reduce((node, key) => node?.[key], doc);
  return JSON.parse(readFileSync(join(LIB_ROOT, ref), 'utf8'));
}

type Channel = { id: string; address: string; messages: any[]; partitions: number };
const channels: Channel[] = Object.entries<any>(doc.channels).map(([id, channel]) => ({
  id,
  address: channel.address,
  messages: Object.values<any>(channel.messages ?? {}).map((message) => deref(message.$ref)),
  partitions: channel.bindings?.kafka?.partitions,
}));
const topicChannels = channels.filter((channel) => !channel.address.endsWith('.dlq'));
const dlqChannels = channels.filter((channel) => channel.address.endsWith('.dlq'));
const byAddress = (address: string) => channels.find((channel) => channel.address === address);

describe('asyncapi.yaml', () => {
  it('is an AsyncAPI 3.0 document', () => {
    expect(doc.asyncapi).toMatch(/^3\.0\.\d+$/);
  });

  it('documents every catalog topic and DLQ, and nothing the catalog lacks', () => {
    expect(topicChannels.map((channel) => channel.address).sort()).toEqual([...TOPIC_NAMES].sort());
    expect(dlqChannels.map((channel) => channel.address).sort()).toEqual(TOPIC_NAMES.map(dlqTopicOf).sort());
    for (const channel of topicChannels) expect(isTopicName(channel.address)).toBe(true);
  });

  it.each(TOPIC_NAMES)('%s: same schema, key, ce_type and partitions as the catalog', (topic) => {
    const spec = TOPIC_CATALOG[topic];
    const channel = byAddress(topic)!;
    expect(channel.partitions).toBe(spec.partitions);
    expect(channel.messages).toHaveLength(1);
    const [message] = channel.messages;
    expect(message['x-key-field']).toBe(spec.keyField);
    expect(message.bindings.kafka.key.description).toBe(`data.${spec.keyField}`);
    expect(deref(message.payload.schema.$ref)).toEqual(spec.schema);
    const [envelope, typed] = message.headers.allOf;
    expect(deref(envelope.$ref).$id).toBe('https://schemas.agentgov.dev/headers/cloudevent-headers.schema.json');
    expect(typed.properties.ce_type.const).toBe(spec.eventType);
  });

  it.each(TOPIC_NAMES)('%s: DLQ channel has one partition and carries the DLQ headers', (topic) => {
    const channel = byAddress(dlqTopicOf(topic))!;
    expect(channel.partitions).toBe(DLQ_PARTITIONS);
    const refs = channel.messages.flatMap((message) => message.headers.allOf.map((part: any) => deref(part.$ref).$id));
    expect(refs).toContain('https://schemas.agentgov.dev/headers/dlq-headers.schema.json');
  });

  it('lists the same producers and consumers as the catalog', () => {
    const sides = (action: 'send' | 'receive', topic: TopicName) =>
      Object.values<any>(doc.operations)
        .filter((operation) => operation.action === action && deref(operation.channel.$ref).address === topic)
        .flatMap((operation) => operation[action === 'send' ? 'x-producers' : 'x-consumers']);
    for (const topic of TOPIC_NAMES) {
      expect(sides('send', topic).sort()).toEqual([...TOPIC_CATALOG[topic].producers].sort());
      expect(sides('receive', topic).sort()).toEqual([...TOPIC_CATALOG[topic].consumers].sort());
    }
  });
});
