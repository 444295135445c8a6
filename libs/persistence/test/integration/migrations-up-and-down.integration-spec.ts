import { MigrationInterface, QueryRunner } from 'typeorm';

import { dropSchema, TEST_DATABASE_URL, uniqueName, withTestDatabase } from '@agentgov/test-support';

import { createServiceDataSource, revertLastMigration, runMigrations } from '../../src';

async function tablesIn(schema: string): Promise<string[]> {
  return withTestDatabase(async (c) => {
    const { rows } = await c.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`, [schema]);
    return rows.map((r: { table_name: string }) => r.table_name);
  });
}

function createsWidgets(schema: string): new () => MigrationInterface {
  return class Widgets1700000000000 implements MigrationInterface {
    name = 'Widgets1700000000000';
    async up(q: QueryRunner): Promise<void> {
      await q.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      await q.query(`CREATE TABLE "${schema}"."widgets" ("id" int PRIMARY KEY)`);
    }
    async down(q: QueryRunner): Promise<void> {
      await q.query(`DROP TABLE "${schema}"."widgets"`);
    }
  };
}

describe('service migrations run up and down in the service schema', () => {
  const schema = uniqueName('migtest');
  afterAll(() => dropSchema(schema));

  it('runs in the schema, records itself there, is a no-op the second time and reverts cleanly', async () => {
    const make = () => createServiceDataSource({ url: TEST_DATABASE_URL, schema, migrations: [createsWidgets(schema)] });

    expect(await runMigrations(make())).toEqual(['Widgets1700000000000']);
    expect(await tablesIn(schema)).toEqual(['migrations', 'widgets']);
    expect(await runMigrations(make())).toEqual([]);

    await revertLastMigration(make());
    expect(await tablesIn(schema)).toEqual(['migrations']);
  });

  it('refuses a schema name that could inject SQL', () => {
    expect(() => createServiceDataSource({ url: TEST_DATABASE_URL, schema: 'x"; DROP TABLE y; --' })).toThrow(/must match/);
  });
});
