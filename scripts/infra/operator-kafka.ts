import { Kafka } from 'kafkajs';

import { createKafkaClient, kafkaSecurityFromEnv, parseBrokers } from '@agentgov/messaging';

/**
 * The operator's client for the infra scripts: brokers and credentials from the same variables the services read
 * (KAFKA_BROKERS, KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_*, KAFKA_TLS_*). For the local broker, infra.sh gives them:
 *
 *   env $(bash scripts/infra/infra.sh client-env admin) node -r @swc-node/register scripts/infra/<script>.ts
 */
export function operatorKafka(clientId: string): Kafka {
  const brokers = parseBrokers(process.env['KAFKA_BROKERS'] ?? '');
  if (brokers.length === 0) throw new Error('KAFKA_BROKERS is not set: run with env $(bash scripts/infra/infra.sh client-env admin)');
  return createKafkaClient({ brokers, clientId, security: kafkaSecurityFromEnv(process.env) });
}
