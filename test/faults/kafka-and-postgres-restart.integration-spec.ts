import { execFileSync, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';

import { waitFor } from '@agentgov/test-support';

import { FaultStack, Service, SERVICES } from './fault-stack';

const INFRA = resolve(__dirname, '../../scripts/infra/infra.sh');

/** Runs a command without blocking the event loop (the readiness watcher must keep polling meanwhile). */
function run(command: string, args: string[]): Promise<void> {
  return new Promise<void>((done, fail) => {
    const child = spawn(command, args, { stdio: 'inherit' });
    child.on('error', fail);
    child.on('exit', (code) => (code === 0 ? done() : fail(new Error(`${command} ${args.join(' ')} exited with ${code}`))));
  });
}

/** The machine's PostgreSQL cluster, as its own start command names it (pg_ctlcluster <version> main). */
function postgres(action: 'stop' | 'start'): Promise<void> {
  const version = readdirSync('/etc/postgresql')[0];
  return run('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', action]);
}

/**
 * The broker, then the database, go away in the middle of a cascade under activity load. Every service says it
 * is not ready while its dependency is gone and ready again once it is back, without being restarted itself,
 * and the system ends with the invariants of FaultStack.expectEverythingSettled.
 */
describe('Kafka and PostgreSQL restarts mid-cascade: services recover on their own, nothing lost or doubled', () => {
  const stack = new FaultStack();
  beforeAll(() => stack.start(), 180000);
  afterAll(async () => {
    // Whatever happened, leave the infrastructure up for the tests after this one.
    execFileSync('bash', [INFRA, 'up'], { stdio: 'inherit' });
    await stack.stop();
  }, 180000);

  /** Polls readiness until every service has been seen not ready, while `outage` runs; returns who was. */
  async function notReadyDuring(outage: () => Promise<void>): Promise<Set<Service>> {
    const seen = new Set<Service>();
    let over = false;
    const watching = (async () => {
      while (!over && seen.size < SERVICES.length) {
        for (const [service, ready] of Object.entries(await stack.readiness())) if (!ready) seen.add(service as Service);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    try {
      await outage();
    } finally {
      over = true;
      await watching;
    }
    return seen;
  }

  async function allReadyAgain(): Promise<void> {
    await waitFor(
      () => stack.readiness(),
      (r) => Object.values(r).every(Boolean),
      { timeoutMs: 120000, intervalMs: 500, what: 'every service ready again' },
    );
  }

  it('a hard broker restart, then a database restart, each mid-cascade', async () => {
    stack.startActivity();
    const rounds: Array<{ agents: string[]; tokens: string[] }> = [];

    // The broker is killed (SIGKILL) and started again while the first owner's cascade is under way.
    const first = await stack.ownerWithAgents();
    await stack.terminate(first.ownerId);
    const brokerDown = await notReadyDuring(async () => {
      await run('bash', [INFRA, 'restart-kafka', '--hard']);
    });
    expect([...brokerDown].sort()).toEqual([...SERVICES].sort());
    await allReadyAgain();
    rounds.push(first);

    // The database stops while the second owner's cascade is under way; it is started once every service has
    // said it is not ready.
    const second = await stack.ownerWithAgents();
    await stack.terminate(second.ownerId);
    const databaseDown = await notReadyDuring(async () => {
      await postgres('stop');
      try {
        await waitFor(
          () => stack.readiness(),
          (r) => Object.values(r).every((ready) => !ready),
          { timeoutMs: 60000, intervalMs: 200, what: 'every service not ready without its database' },
        );
      } finally {
        await postgres('start');
      }
    });
    expect([...databaseDown].sort()).toEqual([...SERVICES].sort());
    await allReadyAgain();
    rounds.push(second);

    await stack.expectEverythingSettled(rounds);
  }, 900000);
});
