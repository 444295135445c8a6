import { ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';

import { uniqueName, waitFor } from '@agentgov/test-support';

import { activityMessage, MessagingTestBed } from './messaging-test-bed';

const TOTAL = 3000;

describe('a consumer killed with SIGKILL mid-batch and restarted loses and doubles nothing', () => {
  const bed = new MessagingTestBed();
  const group = uniqueName('killed');
  const children: ChildProcess[] = [];

  beforeAll(() => bed.setUp(3));
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await bed.tearDown();
  });

  function startChild(): Promise<ChildProcess> {
    const child = fork(path.join(__dirname, 'consumer-child.process.ts'), [], {
      execArgv: ['-r', '@swc-node/register'],
      cwd: path.resolve(__dirname, '../../../..'),
      env: { ...process.env, CHILD_SCHEMA: bed.schema, CHILD_GROUP: group, CHILD_PREFIX: bed.prefix },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.push(child);
    return new Promise((resolve, reject) => {
      child.once('message', () => resolve(child));
      child.once('exit', (code) => reject(new Error(`consumer child exited early with ${code}`)));
    });
  }

  it('processes every event exactly once across the crash', async () => {
    const agents = Array.from({ length: 30 }, () => randomUUID());
    const messages = Array.from({ length: TOTAL }, (_, i) => activityMessage(agents[i % agents.length], `step-${i}`));
    for (let i = 0; i < TOTAL; i += 500) await bed.produce(messages.slice(i, i + 500));

    const first = await startChild();
    await waitFor(
      () => bed.effectCount(),
      (n) => n >= TOTAL / 5,
      { what: 'a fifth of the events handled', timeoutMs: 60000 },
    );
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    const atKill = await bed.effectCount();
    expect(atKill).toBeLessThan(TOTAL);

    const second = await startChild();
    await waitFor(
      () => bed.committed(group),
      (n) => n === TOTAL,
      { what: 'every offset committed', timeoutMs: 90000 },
    );
    second.kill('SIGTERM');
    await new Promise((resolve) => second.once('exit', resolve));

    const [{ total, distinct }] = await bed.dataSource.query(
      `SELECT count(*)::int AS total, count(DISTINCT "event_id")::int AS distinct FROM "${bed.schema}"."effects"`,
    );
    expect(distinct).toBe(TOTAL);
    expect(total).toBe(TOTAL);

    // Per agent, the effects follow the order the events were produced in.
    const effects = await bed.effects();
    for (const agentId of agents.slice(0, 3)) {
      const steps = effects.filter((e) => e.agent_id === agentId).map((e) => Number(e.action.slice(5)));
      expect(steps).toEqual([...steps].sort((a, b) => a - b));
    }
  }, 180000);
});
