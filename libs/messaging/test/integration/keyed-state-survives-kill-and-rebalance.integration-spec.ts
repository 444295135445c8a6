import { ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';

import { Message } from 'kafkajs';

import { uniqueName, waitFor } from '@agentgov/test-support';

import { encodeEvent } from '../../src';
import { countingRunner, CountState, covered, savedCounts, setUpKeyedState } from './keyed-state-test-bed';
import { ACTIVITY, activity, MessagingTestBed } from './messaging-test-bed';

const TOTAL = 4000;

function traffic(agents: string[]): { messages: Message[]; expected: Map<string, CountState> } {
  const expected = new Map<string, CountState>();
  const messages = Array.from({ length: TOTAL }, (_, i) => {
    const agentId = agents[i % agents.length];
    const records = (i * 7) % 13;
    const e = expected.get(agentId) ?? { events: 0, records: 0 };
    expected.set(agentId, { events: e.events + 1, records: e.records + records });
    const encoded = encodeEvent({ topic: ACTIVITY, data: activity(agentId, `step-${i}`, { recordsTouched: records }), source: '/tests' });
    return { key: encoded.key, value: encoded.value, headers: encoded.headers };
  });
  return { messages, expected };
}

async function milestones(bed: MessagingTestBed): Promise<number> {
  const [{ n }] = await bed.dataSource.query(`SELECT count(*)::int AS n FROM "${bed.schema}"."outbox"`);
  return n;
}

describe('keyed state checkpointed with its offsets counts every event exactly once', () => {
  const bed = new MessagingTestBed();
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    await bed.setUp(3);
    await setUpKeyedState(bed);
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await bed.tearDown();
  });

  function startChild(group: string): Promise<ChildProcess> {
    const child = fork(path.join(__dirname, 'keyed-state-child.process.ts'), [], {
      execArgv: ['-r', '@swc-node/register'],
      cwd: path.resolve(__dirname, '../../../..'),
      env: { ...process.env, CHILD_SCHEMA: bed.schema, CHILD_GROUP: group, CHILD_PREFIX: bed.prefix },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.push(child);
    return new Promise((resolve, reject) => {
      child.once('message', () => resolve(child));
      child.once('exit', (code) => reject(new Error(`child exited early with ${code}`)));
    });
  }

  it('after a kill -9 mid-stream and a restart, every agent has exactly its events, and each milestone was emitted once', async () => {
    const group = uniqueName('stateful_kill');
    const agents = Array.from({ length: 20 }, () => randomUUID());
    const { messages, expected } = traffic(agents);
    const first = await startChild(group);
    for (let i = 0; i < TOTAL; i += 200) {
      await bed.produce(messages.slice(i, i + 200));
      if (i === 1000)
        await waitFor(
          () => covered(bed, group),
          (n) => n > 0,
          { what: 'a first checkpoint', timeoutMs: 30000 },
        );
    }
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    expect(await covered(bed, group)).toBeLessThan(TOTAL);

    const second = await startChild(group);
    await waitFor(
      () => covered(bed, group),
      (n) => n === TOTAL,
      { what: 'every event covered', timeoutMs: 60000 },
    );
    second.kill('SIGTERM');
    await new Promise((resolve) => second.once('exit', resolve));

    expect(Object.fromEntries(await savedCounts(bed, group))).toEqual(Object.fromEntries(expected));
    const expectedMilestones = [...expected.values()].reduce((n, s) => n + Math.floor(s.events / 50), 0);
    expect(await milestones(bed)).toBe(expectedMilestones);
  }, 150000);

  it('through a rebalance between two instances, the counts stay exact', async () => {
    // A topic of its own: the first test's events stay out of these counts.
    const bed = new MessagingTestBed();
    await bed.setUp(3);
    await setUpKeyedState(bed);
    const group = uniqueName('stateful_rebalance');
    const agents = Array.from({ length: 30 }, () => randomUUID());
    const { messages, expected } = traffic(agents);
    const instance = () => countingRunner(bed, group, { checkpointIntervalMs: 100 });
    const a = instance();
    const b = instance();
    await a.start();
    try {
      for (let i = 0; i < TOTAL; i += 250) {
        await bed.produce(messages.slice(i, i + 250));
        if (i === 1000) await b.start(); // the group rebalances while events flow
        if (i === 2500) await a.stop(); // and again when the first instance leaves
      }
      await waitFor(
        () => covered(bed, group),
        (n) => n === TOTAL,
        { what: 'every event covered', timeoutMs: 60000 },
      );
      expect(Object.fromEntries(await savedCounts(bed, group))).toEqual(Object.fromEntries(expected));
    } finally {
      await b.stop();
      await a.stop();
      await bed.tearDown();
    }
  }, 150000);
});
