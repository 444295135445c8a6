/**
 * Applies (or with --revert, undoes the last of) every service's migrations, each in its own schema.
 * DATABASE_URL chooses the database (default: the local development one).
 */
import { createServiceDataSource, revertLastMigration, runMigrations } from '@agentgov/persistence';

import { BEHAVIOR_BASELINER_MIGRATIONS, BEHAVIOR_BASELINER_SCHEMA } from '../apps/behavior-baseliner/src/database/behavior-baseliner.database';
import { CONTAINMENT_MIGRATIONS, CONTAINMENT_SCHEMA } from '../apps/containment/src/database/containment.database';
import { PROVISIONER_MIGRATIONS, PROVISIONER_SCHEMA } from '../apps/provisioner/src/database/provisioner.database';
import { REVIEW_SCHEDULER_MIGRATIONS, REVIEW_SCHEDULER_SCHEMA } from '../apps/review-scheduler/src/database/review-scheduler.database';

const SERVICES = [
  { schema: PROVISIONER_SCHEMA, migrations: PROVISIONER_MIGRATIONS },
  { schema: BEHAVIOR_BASELINER_SCHEMA, migrations: BEHAVIOR_BASELINER_MIGRATIONS },
  { schema: CONTAINMENT_SCHEMA, migrations: CONTAINMENT_MIGRATIONS },
  { schema: REVIEW_SCHEDULER_SCHEMA, migrations: REVIEW_SCHEDULER_MIGRATIONS },
];

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/agentgov';
  const revert = process.argv.includes('--revert');
  for (const service of SERVICES) {
    const dataSource = createServiceDataSource({ url, schema: service.schema, migrations: service.migrations, applicationName: 'db-migrate' });
    if (revert) {
      await revertLastMigration(dataSource);
      console.log(`${service.schema}: reverted the last migration`);
    } else {
      const applied = await runMigrations(dataSource);
      console.log(`${service.schema}: ${applied.length ? `applied ${applied.join(', ')}` : 'up to date'}`);
    }
  }
}

main().catch((error) => {
  console.error(`db:migrate failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
