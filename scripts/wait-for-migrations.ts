/**
 * Waits until one service's schema has every migration that service's build knows, then exits 0; exits 1 if
 * that has not happened within --timeout-seconds. Kubernetes runs it as each Deployment's init container, so a
 * service never consumes events before the migration Job has created the tables it writes to (a missing table
 * is not a transient error to the consumer: the event would be dead-lettered).
 *
 *   node dist/scripts/wait-for-migrations.js <provisioner|behavior-baseliner|containment|review-scheduler> [--timeout-seconds 600]
 *
 * Reads only: it never creates the schema or TypeORM's migrations table (the migrate Job does). DATABASE_URL
 * picks the database.
 */
import { Client } from 'pg';

export interface ServiceDatabase {
  schema: string;
  /** Migration classes in order, as the service's data source lists them. */
  migrations: readonly (new () => object)[];
}

// Loaded lazily: a service's image holds its own app's database code only.
export const SERVICE_DATABASES: Readonly<Record<string, () => Promise<ServiceDatabase>>> = {
  provisioner: async () => {
    const m = await import('../apps/provisioner/src/database/provisioner.database');
    return { schema: m.PROVISIONER_SCHEMA, migrations: m.PROVISIONER_MIGRATIONS };
  },
  'behavior-baseliner': async () => {
    const m = await import('../apps/behavior-baseliner/src/database/behavior-baseliner.database');
    return { schema: m.BEHAVIOR_BASELINER_SCHEMA, migrations: m.BEHAVIOR_BASELINER_MIGRATIONS };
  },
  containment: async () => {
    const m = await import('../apps/containment/src/database/containment.database');
    return { schema: m.CONTAINMENT_SCHEMA, migrations: m.CONTAINMENT_MIGRATIONS };
  },
  'review-scheduler': async () => {
    const m = await import('../apps/review-scheduler/src/database/review-scheduler.database');
    return { schema: m.REVIEW_SCHEDULER_SCHEMA, migrations: m.REVIEW_SCHEDULER_MIGRATIONS };
  },
};

/** The name TypeORM records for a migration: its `name` property, else its class name. */
export function migrationName(migration: new () => object): string {
  const instance = new migration() as { name?: unknown };
  return typeof instance.name === 'string' && instance.name ? instance.name : migration.name;
}

/** Migrations of `expected` not among `applied`, in order. */
export function pendingMigrations(expected: readonly string[], applied: readonly string[]): string[] {
  const done = new Set(applied);
  return expected.filter((name) => !done.has(name));
}

/** Names recorded in the schema's migrations table; none when the schema or the table does not exist yet. */
export async function appliedMigrations(client: Pick<Client, 'query'>, schema: string): Promise<string[]> {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`not a schema name: ${schema}`);
  const table = `"${schema}"."migrations"`;
  const exists = await client.query<{ table: string | null }>('SELECT to_regclass($1)::text AS "table"', [table]);
  if (!exists.rows[0]?.table) return [];
  const rows = await client.query<{ name: string }>(`SELECT "name" FROM ${table}`);
  return rows.rows.map((row) => row.name);
}

export interface WaitOptions {
  /** Returns the migrations still missing; throws when the database cannot be reached. */
  check: () => Promise<string[]>;
  timeoutMs: number;
  intervalMs: number;
  log: (line: string) => void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** Polls until nothing is pending (true) or the time is up (false). A failing check counts as "not yet". */
export async function waitUntilMigrated(options: WaitOptions): Promise<boolean> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = now() + options.timeoutMs;
  let last = '';
  for (;;) {
    let status: string;
    try {
      const pending = await options.check();
      if (pending.length === 0) return true;
      status = `waiting for migrations: ${pending.join(', ')}`;
    } catch (error) {
      status = `waiting for the database: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (status !== last) options.log(status);
    last = status;
    if (now() >= deadline) return false;
    await sleep(options.intervalMs);
  }
}

export function parseWaitArgs(argv: readonly string[]): { service: string; timeoutSeconds: number; load: () => Promise<ServiceDatabase> } {
  const service = argv.find((arg) => !arg.startsWith('--'));
  const load = service === undefined ? undefined : SERVICE_DATABASES[service];
  if (!service || !load) {
    throw new Error(`usage: wait-for-migrations <${Object.keys(SERVICE_DATABASES).join('|')}> [--timeout-seconds N]`);
  }
  const at = argv.indexOf('--timeout-seconds');
  const timeoutSeconds = at >= 0 ? Number(argv[at + 1]) : 600;
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1) throw new Error('--timeout-seconds must be a positive integer');
  return { service, timeoutSeconds, load };
}

async function main(): Promise<void> {
  const { service, timeoutSeconds, load } = parseWaitArgs(process.argv.slice(2));
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is required');
  const database = await load();
  const expected = database.migrations.map(migrationName);
  const check = async (): Promise<string[]> => {
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000, application_name: `${service}-wait-for-migrations` });
    await client.connect();
    try {
      return pendingMigrations(expected, await appliedMigrations(client, database.schema));
    } finally {
      await client.end().catch(() => undefined);
    }
  };
  const log = (line: string) => console.log(`${service}: ${line}`);
  const migrated = await waitUntilMigrated({ check, timeoutMs: timeoutSeconds * 1000, intervalMs: 2000, log });
  if (!migrated) {
    console.error(`${service}: schema "${database.schema}" still lacks migrations after ${timeoutSeconds} s; has the migrate job run?`);
    process.exit(1);
  }
  log(`schema "${database.schema}" has all ${expected.length} migrations`);
}

if (require.main === module) {
  main().catch((error) => {
    console.error(`wait-for-migrations failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
