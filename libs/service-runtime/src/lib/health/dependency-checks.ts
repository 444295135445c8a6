import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';

import { kafkaConnectionOptions, KafkaSecurity } from '@agentgov/messaging';

import { ReadinessCheck } from './readiness.registry';

/**
 * Stand-alone probes for the two dependencies every service has. They open a short-lived connection per
 * probe, so they work before (and independently of) the service's own pools; a library that owns a pool
 * can register a cheaper check on it instead.
 */
export function postgresReadinessCheck(databaseUrl: string, connectTimeoutMs = 1_500): ReadinessCheck {
  return async () => {
    const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: connectTimeoutMs });
    // A broken connection emits 'error' after connect; without a listener that would crash the process.
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
    } finally {
      await client.end().catch(() => undefined);
    }
  };
}

export function kafkaReadinessCheck(options: { brokers: readonly string[]; clientId: string; security?: KafkaSecurity }): ReadinessCheck {
  return async () => {
    const kafka = new Kafka({
      clientId: `${options.clientId}-readiness`,
      brokers: [...options.brokers],
      ...kafkaConnectionOptions(options.security),
      connectionTimeout: 1_000,
      requestTimeout: 1_500,
      retry: { retries: 0 },
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      if (cluster.brokers.length === 0) throw new Error('Kafka cluster reports no brokers');
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  };
}
