import { parseReplayArgs } from '../../scripts/replay-dlq';

// What the script reads and replays is @agentgov/messaging's (libs/messaging/src/dead-letters), tested there.
describe('replay-dlq', () => {
  it('reads the topic, the range, the failed group and the count from its command line', () => {
    expect(
      parseReplayArgs([
        '--topic',
        'agent.lifecycle.v1',
        '--execute',
        '--from-offset',
        '1',
        '--to-offset',
        '5',
        '--failed-group',
        'prod-containment',
        '--limit',
        '1',
      ]),
    ).toEqual({ topic: 'agent.lifecycle.v1', execute: true, fromOffset: 1n, toOffset: 5n, failedGroup: 'prod-containment', limit: 1 });
    expect(parseReplayArgs(['--topic', 'review.v1'])).toEqual({
      topic: 'review.v1',
      execute: false,
      fromOffset: undefined,
      toOffset: undefined,
      failedGroup: undefined,
      limit: undefined,
    });
  });

  it('refuses what it does not understand on the command line', () => {
    expect(() => parseReplayArgs([])).toThrow('usage: replay-dlq');
    expect(() => parseReplayArgs(['--topic', 'agent.lifecycle.v1.dlq'])).toThrow('--topic must be a catalog topic');
    expect(() => parseReplayArgs(['--topic', 'review.v1', '--from-offset', '-1'])).toThrow('--from-offset must be a non-negative integer');
    expect(() => parseReplayArgs(['--topic', 'review.v1', '--limit', '0'])).toThrow('--limit must be a positive integer');
    expect(() => parseReplayArgs(['--topic', 'review.v1', '--excute'])).toThrow('unknown option --excute');
  });
});
