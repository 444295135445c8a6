import { DataSource, DataSourceOptions } from 'typeorm';

import { assertSqlIdentifier } from './sql-identifier';

export interface ServiceDataSourceOptions {
  url: string;
  /** The service's own Postgres schema; no service reads another's. */
  schema: string;
  entities?: DataSourceOptions['entities'];
  migrations?: DataSourceOptions['migrations'];
  poolSize?: number;
  applicationName?: string;
}

/**
 * A TypeORM data source confined to one schema. Schema changes only ever come from migrations:
 * synchronize stays off, and migrations run from a command, never at import time.
 */
export function createServiceDataSource(options: ServiceDataSourceOptions): DataSource {
  const schema = assertSqlIdentifier(options.schema);
  const config: DataSourceOptions = {
    type: 'postgres',
    url: options.url,
    schema,
    entities: options.entities ?? [],
    migrations: options.migrations ?? [],
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    applicationName: options.applicationName,
    extra: {
      max: options.poolSize ?? 10,
      // Fail a checkout fast when Postgres is down, so readiness and retries notice quickly.
      connectionTimeoutMillis: 3000,
      idleTimeoutMillis: 30000,
    },
  };
  return new DataSource(config);
}

/** Applies pending migrations, creating the schema first (TypeORM keeps its migrations table in it). */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const schema = (dataSource.options as { schema?: string }).schema;
  const initializedHere = !dataSource.isInitialized;
  if (initializedHere) await dataSource.initialize();
  try {
    if (schema) await dataSource.query(`CREATE SCHEMA IF NOT EXISTS "${assertSqlIdentifier(schema)}"`);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    if (initializedHere) await dataSource.destroy();
  }
}

/** Reverts the most recent migration (its `down`). */
export async function revertLastMigration(dataSource: DataSource): Promise<void> {
  const initializedHere = !dataSource.isInitialized;
  if (initializedHere) await dataSource.initialize();
  try {
    await dataSource.undoLastMigration({ transaction: 'each' });
  } finally {
    if (initializedHere) await dataSource.destroy();
  }
}

/** Cheap round trip used by readiness probes. */
export async function pingDatabase(dataSource: DataSource): Promise<void> {
  if (!dataSource.isInitialized) throw new Error('database connection is not initialized');
  await dataSource.query('SELECT 1');
}
