import { createServer, Server, Socket } from 'node:net';

import { removeTestTopics, TEST_TOPIC_PREFIX, testTopicPrefix } from './test-topics';

describe('test topic prefixes and their removal', () => {
  it('recognises a harness prefix and nothing broader', () => {
    expect(testTopicPrefix('svc')).toMatch(TEST_TOPIC_PREFIX);
    for (const prefix of ['', '.', 'agent.', 'svc.', 'svc_0123456789', 'svc_0123456789.x.', 'svc_012345678.', 'prod_0123456789abcdef.']) {
      expect(TEST_TOPIC_PREFIX.test(prefix)).toBe(false);
    }
  });

  it('refuses a prefix that is not a test prefix before it reaches for the broker', async () => {
    // An unreachable broker: reaching for it would end in an error result, not in this rejection.
    await expect(removeTestTopics('', { brokers: ['127.0.0.1:1'] })).rejects.toThrow('not a test topic prefix');
    await expect(removeTestTopics('agent.', { brokers: ['127.0.0.1:1'] })).rejects.toThrow('not a test topic prefix');
  });

  it('gives up on a broker it cannot reach within its bound, reporting why instead of throwing', async () => {
    const started = Date.now();
    const removed = await removeTestTopics(testTopicPrefix('svc'), { brokers: ['127.0.0.1:1'], timeoutMs: 2000 });
    expect(removed.error).toEqual(expect.any(String));
    expect(removed.topics).toEqual([]);
    expect(Date.now() - started).toBeLessThan(3500);
  });

  it('gives up on a broker that accepts connections and never answers, within its bound', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const started = Date.now();
      const removed = await removeTestTopics(testTopicPrefix('svc'), { brokers: [`127.0.0.1:${port}`], timeoutMs: 1500 });
      expect(removed.error).toEqual(expect.any(String));
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
