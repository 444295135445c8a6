import { randomBytes } from 'node:crypto';

import { Client } from 'pg';

import { benchPlaintextBroker, LOCAL_SECURE_BROKERS, localBrokerConnection, LocalBrokerSecurity, localBrokerSecurity } from './local-broker';

/**
 * Real infrastructure for integration tests: the local broker and database that `npm run infra:up` starts. The
 * tests' own Kafka clients (making topics and ACLs, publishing as an outside producer would, reading what the
 * services wrote) connect to the locked-down listener as the operator's `admin`; services under test connect as
 * themselves (libs/service-testing).
 */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/agentgov_test';
export const TEST_KAFKA_BROKERS = process.env.TEST_KAFKA_BROKERS
  ? process.env.TEST_KAFKA_BROKERS.split(',')
  : benchPlaintextBroker()
    ? [benchPlaintextBroker() as string]
    : LOCAL_SECURE_BROKERS;

/** createKafkaClient's `security` for the tests' own clients. */
export function testKafkaSecurity(): LocalBrokerSecurity {
  return benchPlaintextBroker() ? { protocol: 'plaintext' } : localBrokerSecurity('admin');
}

/** A plain kafkajs client's `brokers`, `ssl` and `sasl` for the tests' own clients. */
export function testKafkaConnection(): ReturnType<typeof localBrokerConnection> {
  return localBrokerConnection('admin', TEST_KAFKA_BROKERS);
}

/** A short random name, safe as a Postgres identifier and as part of a Kafka topic. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

/** Runs SQL on the test database over a short-lived connection. */
export async function withTestDatabase<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function dropSchema(schema: string): Promise<void> {
  await withTestDatabase((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
}

/** Polls until the condition holds or the time runs out; returns the last value. */
export async function waitFor<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  { timeoutMs = 20000, intervalMs = 100, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await probe();
  while (!done(value)) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, intervalMs));
    value = await probe();
  }
  return value;
}
