import { DLQ_HEADERS } from '@agentgov/contracts';

import { DeadLetter, DeadLetterSelection, replayDeadLetters, ReplayedMessage, ReplaySummary, toReplay } from './dead-letters';

const DLQ = 'prod-agent.lifecycle.v1.dlq';

function deadLetter(offset: number, failedGroup: string, extra: Record<string, string> = {}): DeadLetter {
  return {
    partition: 0,
    offset: String(offset),
    key: Buffer.from(`agent-${offset}`),
    value: Buffer.from(`{"n":${offset}}`),
    headers: {
      ce_id: Buffer.from(`event-${offset}`),
      ce_type: Buffer.from('agentgov.agent.lifecycle.v1'),
      traceparent: Buffer.from('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'),
      [DLQ_HEADERS.error]: Buffer.from('Error: relation "containment.inbox" does not exist'),
      [DLQ_HEADERS.originTopic]: Buffer.from('prod-agent.lifecycle.v1'),
      [DLQ_HEADERS.originPartition]: Buffer.from('3'),
      [DLQ_HEADERS.originOffset]: Buffer.from(String(100 + offset)),
      [DLQ_HEADERS.attempts]: Buffer.from('3'),
      [DLQ_HEADERS.failedAt]: Buffer.from('2026-11-01T10:00:00.000Z'),
      [DLQ_HEADERS.consumerGroup]: Buffer.from(failedGroup),
      ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, Buffer.from(v)])),
    },
  };
}

async function* from(messages: DeadLetter[]): AsyncGenerator<DeadLetter> {
  for (const message of messages) yield message;
}

async function run(messages: DeadLetter[], execute: boolean, selection: DeadLetterSelection = {}) {
  const sent: ReplayedMessage[] = [];
  const reported: Record<string, unknown>[] = [];
  const progress: ReplaySummary[] = [];
  const summary = await replayDeadLetters({
    dlqTopic: DLQ,
    selection,
    execute,
    messages: from(messages),
    send: async (message) => {
      sent.push(message);
    },
    report: (line) => reported.push({ ...line }),
    progress: (soFar) => progress.push({ ...soFar }),
  });
  return { sent, reported, summary, progress };
}

describe('dead letters', () => {
  it('a dry run lists what it would replay, with why each failed, and sends nothing', async () => {
    const { sent, reported, summary } = await run([deadLetter(0, 'prod-containment'), deadLetter(1, 'prod-review-scheduler')], false);

    expect(sent).toEqual([]);
    expect(summary).toEqual({ seen: 2, matched: 2, replayed: 0 });
    expect(reported[0]).toMatchObject({
      offset: '0',
      ceId: 'event-0',
      failedGroup: 'prod-containment',
      error: 'Error: relation "containment.inbox" does not exist',
      origin: 'prod-agent.lifecycle.v1[3]@100',
      replayedTo: undefined,
    });
  });

  it('replays the original message to its topic: same key, value and event id, without the dlq headers', async () => {
    const { sent, summary, reported } = await run([deadLetter(7, 'prod-containment', { tracestate: 'x=1' })], true);

    expect(summary).toEqual({ seen: 1, matched: 1, replayed: 1 });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.topic).toBe('prod-agent.lifecycle.v1');
    expect(sent[0]!.key?.toString()).toBe('agent-7');
    expect(sent[0]!.value?.toString()).toBe('{"n":7}');
    expect(Object.keys(sent[0]!.headers).sort()).toEqual(['ce_id', 'ce_type', 'traceparent', 'tracestate']);
    expect(sent[0]!.headers['ce_id']?.toString()).toBe('event-7');
    expect(reported[0]).toMatchObject({ replayedTo: 'prod-agent.lifecycle.v1' });
  });

  it('replays only the chosen offsets, failed group and count, and reports its progress after every message read', async () => {
    const messages = [0, 1, 2, 3, 4, 5].map((n) => deadLetter(n, n % 2 === 0 ? 'prod-containment' : 'prod-provisioner'));

    const { sent, summary, progress } = await run(messages, true, { fromOffset: 1n, toOffset: 5n, failedGroup: 'prod-containment', limit: 1 });

    expect(sent.map((m) => m.headers['ce_id']?.toString())).toEqual(['event-2']);
    expect(summary).toEqual({ seen: 5, matched: 1, replayed: 1 });
    // The fifth read (offset 4) is a second match past the limit: the run stops there, before reporting it.
    expect(progress.map((p) => p.seen)).toEqual([1, 2, 3, 4]);
    expect(progress[2]).toEqual({ seen: 3, matched: 1, replayed: 1 });
  });

  it('refuses a message whose origin is another topic than its DLQ says', () => {
    const stray = deadLetter(9, 'prod-containment', { [DLQ_HEADERS.originTopic]: 'prod-review.v1' });

    expect(() => toReplay(DLQ, stray)).toThrow('names origin topic "prod-review.v1", not "prod-agent.lifecycle.v1"');
  });
});
