/**
 * Applies the bus's access table (libs/messaging/src/kafka/kafka-access.ts) to the local broker, as its admin over
 * the locked-down listener. infra.sh runs it at every start; idempotent.
 *
 *   node -r @swc-node/register scripts/infra/kafka-access.ts [prefix]
 */
import { applyKafkaAccess, createKafkaClient, LOCAL_SECURE_BROKERS, localBrokerSecurity } from '@agentgov/messaging';

async function main(): Promise<void> {
  const prefix = process.argv[2] ?? '';
  const admin = createKafkaClient({ brokers: LOCAL_SECURE_BROKERS, clientId: 'agentgov-access', security: localBrokerSecurity('admin') }).admin();
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
