/**
 * Applies the bus's access table (libs/messaging/src/kafka/kafka-access.ts) to the local broker, as its admin over
 * the locked-down listener. infra.sh runs it at every start; idempotent.
 *
 *   env $(bash scripts/infra/infra.sh client-env admin) node -r @swc-node/register scripts/infra/kafka-access.ts [prefix]
 */
import { applyKafkaAccess } from '@agentgov/messaging';

import { operatorKafka } from './operator-kafka';

async function main(): Promise<void> {
  const prefix = process.argv[2] ?? '';
  const admin = operatorKafka('agentgov-access').admin();
  await admin.connect();
  try {
    const count = await applyKafkaAccess(admin, prefix);
    console.log(`${count} ACLs in place for ${prefix ? `prefix ${prefix}` : 'the production topic names'}`);
  } finally {
    await admin.disconnect();
  }
}

main().catch((error: unknown) => {
  console.error(`kafka-access: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
