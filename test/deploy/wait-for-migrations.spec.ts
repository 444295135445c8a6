import { migrationName, parseWaitArgs, pendingMigrations, SERVICE_DATABASES, waitUntilMigrated } from '../../scripts/wait-for-migrations';
import { SPECS } from './deploy-fixtures';

describe('wait-for-migrations', () => {
  it("knows every app, and each app's migrations by the names TypeORM records", async () => {
    expect(Object.keys(SERVICE_DATABASES).sort()).toEqual(Object.keys(SPECS).sort());
    const provisioner = await SERVICE_DATABASES['provisioner']!();

    expect(provisioner.schema).toBe('provisioner');
    expect(provisioner.migrations.map(migrationName)[0]).toBe('MessagingTables1763900000000');
    expect(pendingMigrations(['A1', 'B2', 'C3'], ['A1', 'C3'])).toEqual(['B2']);
  });

  it('waits through an unreachable database and missing migrations, and returns once none is missing', async () => {
    const answers: (() => string[])[] = [
      () => {
        throw new Error('connect ECONNREFUSED 10.0.0.5:5432');
      },
      () => ['Reviews1764200000000'],
      () => ['Reviews1764200000000'],
      () => [],
    ];
    const log: string[] = [];
    let clock = 0;

    const migrated = await waitUntilMigrated({
      check: async () => answers.shift()!(),
      timeoutMs: 60_000,
      intervalMs: 2000,
      log: (line) => log.push(line),
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
      },
    });

    expect(migrated).toBe(true);
    expect(log).toEqual(['waiting for the database: connect ECONNREFUSED 10.0.0.5:5432', 'waiting for migrations: Reviews1764200000000']);
  });

  it('gives up after the timeout', async () => {
    let clock = 0;

    const migrated = await waitUntilMigrated({
      check: async () => ['Reviews1764200000000'],
      timeoutMs: 10_000,
      intervalMs: 2000,
      log: () => undefined,
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
      },
    });

    expect(migrated).toBe(false);
    expect(clock).toBe(10_000);
  });

  it('refuses an unknown service', () => {
    expect(() => parseWaitArgs(['auditor'])).toThrow('usage: wait-for-migrations <provisioner|behavior-baseliner|containment|review-scheduler>');
    expect(parseWaitArgs(['containment', '--timeout-seconds', '30'])).toMatchObject({ service: 'containment', timeoutSeconds: 30 });
  });
});
