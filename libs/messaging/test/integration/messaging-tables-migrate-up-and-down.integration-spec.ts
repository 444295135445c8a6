import { createServiceDataSource, revertLastMigration, runMigrations } from '@agentgov/persistence';
import { dropSchema, TEST_DATABASE_URL, uniqueName, withTestDatabase } from '@agentgov/test-support';

import { messagingTablesMigration } from '../../src';

async function tablesIn(schema: string): Promise<string[]> {
  return withTestDatabase(async (c) => {
    const { rows } = await c.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`, [schema]);
    return rows.map((r: { table_name: string }) => r.table_name);
  });
}

describe("every service's first migration: its inbox and outbox", () => {
  const schema = uniqueName('migtest');
  afterAll(() => dropSchema(schema));

  it('creates the schema, the inbox and the outbox; is a no-op the second time; reverts cleanly', async () => {
    const migrations = [messagingTablesMigration(schema, 1763900000000)];
    const make = () => createServiceDataSource({ url: TEST_DATABASE_URL, schema, migrations });

    expect(await runMigrations(make())).toEqual(['MessagingTables1763900000000']);
    expect(await tablesIn(schema)).toEqual(['inbox', 'migrations', 'outbox']);
    expect(await runMigrations(make())).toEqual([]);

    await revertLastMigration(make());
    expect(await tablesIn(schema)).toEqual(['migrations']);
  });
});
