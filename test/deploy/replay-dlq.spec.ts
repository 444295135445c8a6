import { DLQ_HEADERS } from '@agentgov/contracts';

import { DeadLetter, parseReplayArgs, replayDeadLetters, ReplayedMessage, toReplay } from '../../scripts/replay-dlq';

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

async function run(argv: string[], messages: DeadLetter[]) {
  const sent: ReplayedMessage[] = [];
  const reported: Record<string, unknown>[] = [];
  const summary = await replayDeadLetters({
    dlqTopic: DLQ,
    args: parseReplayArgs(argv),
    messages: from(messages),
    send: async (message) => {
      sent.push(message);
    },
    report: (line) => reported.push(line),
  });
  return { sent, reported, summary };
}

describe('replay-dlq', () => {
  it('a dry run lists what it would replay, with why each failed, and sends nothing', async () => {
    const { sent, reported, summary } = await run(
      ['--topic', 'agent.lifecycle.v1'],
      [deadLetter(0, 'prod-containment'), deadLetter(1, 'prod-review-scheduler')],
    );

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
    const { sent, summary } = await run(['--topic', 'agent.lifecycle.v1', '--execute'], [deadLetter(7, 'prod-containment', { tracestate: 'x=1' })]);

    expect(summary).toEqual({ seen: 1, matched: 1, replayed: 1 });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.topic).toBe('prod-agent.lifecycle.v1');
    expect(sent[0]!.key?.toString()).toBe('agent-7');
    expect(sent[0]!.value?.toString()).toBe('{"n":7}');
    expect(Object.keys(sent[0]!.headers).sort()).toEqual(['ce_id', 'ce_type', 'traceparent', 'tracestate']);
    expect(sent[0]!.headers['ce_id']?.toString()).toBe('event-7');
  });

  it('replays only the chosen offsets, failed group and count', async () => {
    const messages = [0, 1, 2, 3, 4, 5].map((n) => deadLetter(n, n % 2 === 0 ? 'prod-containment' : 'prod-provisioner'));

    const { sent, summary } = await run(
      ['--topic', 'agent.lifecycle.v1', '--execute', '--from-offset', '1', '--to-offset', '5', '--failed-group', 'prod-containment', '--limit', '1'],
      messages,
    );

    expect(sent.map((m) => m.headers['ce_id']?.toString())).toEqual(['event-2']);
    expect(summary.replayed).toBe(1);
  });

  it('refuses a message whose origin is another topic than its DLQ says', () => {
    const stray = deadLetter(9, 'prod-containment', { [DLQ_HEADERS.originTopic]: 'prod-review.v1' });

    expect(() => toReplay(DLQ, stray)).toThrow('names origin topic "prod-review.v1", not "prod-agent.lifecycle.v1"');
  });

  it('refuses what it does not understand on the command line', () => {
    expect(() => parseReplayArgs([])).toThrow('usage: replay-dlq');
    expect(() => parseReplayArgs(['--topic', 'agent.lifecycle.v1.dlq'])).toThrow('--topic must be a catalog topic');
    expect(() => parseReplayArgs(['--topic', 'review.v1', '--from-offset', '-1'])).toThrow('--from-offset must be a non-negative integer');
    expect(() => parseReplayArgs(['--topic', 'review.v1', '--limit', '0'])).toThrow('--limit must be a positive integer');
    expect(() => parseReplayArgs(['--topic', 'review.v1', '--excute'])).toThrow('unknown option --excute');
  });
});
