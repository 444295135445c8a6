import { Logger } from '@nestjs/common';

import { ClaimedWorkPump } from './claimed-work-pump';

/** A queue of numbered items; each run finishes when the test releases it. */
function harness(items: number[], concurrency = 2) {
  const queue = [...items];
  const finishers = new Map<string, () => void>();
  const claims: Array<{ free: number; exclude: string[] }> = [];
  const pump = new ClaimedWorkPump<number>({
    what: 'items',
    logger: new Logger('test'),
    concurrency: () => concurrency,
    claim: async (free, exclude) => {
      claims.push({ free, exclude });
      return queue.splice(0, free);
    },
    idOf: String,
    start: async (claimed) => claimed.map((item) => new Promise<void>((done) => finishers.set(String(item), done))),
  });
  const settle = () => new Promise((resolve) => setTimeout(resolve, 10));
  return { pump, queue, finishers, claims, settle };
}

describe('ClaimedWorkPump', () => {
  it('works on at most its concurrency at once, and claims more as items finish, never one still in flight', async () => {
    const h = harness([1, 2, 3, 4, 5]);
    h.pump.wake();
    await h.settle();
    expect([...h.finishers.keys()]).toEqual(['1', '2']);

    h.finishers.get('1')!();
    await h.settle();
    expect([...h.finishers.keys()]).toEqual(['1', '2', '3']);
    expect(h.claims.at(-1)).toEqual({ free: 1, exclude: ['2'] });
    expect(h.queue).toEqual([4, 5]);
  });

  it('claims nothing more once stopping, and waits for what is in flight', async () => {
    const h = harness([1, 2, 3]);
    h.pump.wake();
    await h.settle();
    let stopped = false;
    const stopping = h.pump.stop(5000).then(() => (stopped = true));
    h.pump.wake();
    await h.settle();
    expect(stopped).toBe(false);
    h.finishers.get('1')!();
    h.finishers.get('2')!();
    await stopping;
    expect(h.queue).toEqual([3]);
    expect(h.pump.stopped).toBe(true);
  });

  it('gives up waiting after the drain deadline', async () => {
    const h = harness([1]);
    h.pump.wake();
    await h.settle();
    const started = Date.now();
    await h.pump.stop(50);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
