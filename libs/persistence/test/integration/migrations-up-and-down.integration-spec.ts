import { TEST_DATABASE_URL, dropSchema, uniqueName, withTestDatabase } from '@agentgov/test-support';

import { createServiceDataSource, messagingTablesMigration, revertLastMigration, runMigrations } from '../../src';

async function tablesIn(schema: string): Promise<string[]> {
  return withTestDatabase(async (c) => {
    const { rows } = await c.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`, [schema]);
    return rows.map((r: { table_name: string }) => r.table_name);
  });
}

describe('service migrations run up and down in the service schema', () => {
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

  it('refuses a schema name that could inject SQL', () => {
    expect(() => createServiceDataSource({ url: TEST_DATABASE_URL, schema: 'x"; DROP TABLE y; --' })).toThrow(/must match/);
  });
});
