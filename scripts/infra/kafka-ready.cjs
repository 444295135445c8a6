#!/usr/bin/env node
// Readiness probe for the local broker, used by scripts/infra/infra.sh.
// Succeeds (exit 0) only when the broker answers a real client request through
// kafkajs, the client the services use: metadata (listTopics) and the cluster
// description. Exit 1 otherwise, with the reason on stderr. It connects as the
// services do, from KAFKA_BROKERS and the KAFKA_SASL_* and KAFKA_TLS_CA_FILE
// variables (the broker has no plaintext listener):
//
//   env $(scripts/infra/infra.sh client-env admin) node scripts/infra/kafka-ready.cjs [timeoutMs] [--warm-groups]
//
// --warm-groups also asks for a group coordinator and a transaction coordinator
// (with retries), which makes the broker create __consumer_offsets and
// __transaction_state now instead of at a test's first join or transaction.
'use strict';

const { readFileSync } = require('node:fs');
const { Kafka, logLevel } = require('kafkajs');

const broker = process.env.KAFKA_BROKERS;
const timeoutMs = Number(process.argv[2] || 5000);
const warmGroups = process.argv.includes('--warm-groups');

function connection() {
  const need = ['KAFKA_BROKERS', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD_FILE', 'KAFKA_TLS_CA_FILE'].filter((n) => !process.env[n]);
  if (need.length) throw new Error(`${need.join(', ')} not set (run with env $(scripts/infra/infra.sh client-env admin))`);
  return {
    brokers: broker.split(','),
    ssl: { ca: [readFileSync(process.env.KAFKA_TLS_CA_FILE, 'utf8')] },
    sasl: {
      mechanism: 'scram-sha-512',
      username: process.env.KAFKA_SASL_USERNAME,
      password: readFileSync(process.env.KAFKA_SASL_PASSWORD_FILE, 'utf8').trim(),
    },
  };
}

async function main() {
  const kafka = new Kafka({
    clientId: 'agentgov-infra-probe',
    ...connection(),
    connectionTimeout: Math.min(timeoutMs, 3000),
    requestTimeout: timeoutMs,
    retry: warmGroups ? { retries: 8, initialRetryTime: 300, maxRetryTime: 3000 } : { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  const timer = setTimeout(() => {
    process.stderr.write(`kafka-ready: no answer from ${broker} within ${timeoutMs} ms\n`);
    process.exit(1);
  }, timeoutMs + 1000);
  try {
    await admin.connect();
    const topics = await admin.listTopics();
    const cluster = await admin.describeCluster();
    if (warmGroups) {
      await admin.describeGroups(['agentgov-infra-warmup']);
      const producer = kafka.producer({ transactionalId: 'agentgov-infra-warmup', idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      const tx = await producer.transaction(); // InitProducerId through the transaction coordinator
      await tx.abort(); // nothing was sent: no EndTxn goes out
      await producer.disconnect();
    }
    process.stdout.write(
      `kafka-ready: cluster ${cluster.clusterId}, ${cluster.brokers.length} broker(s), ${topics.length} topic(s)` +
        (warmGroups ? ', group and transaction coordinators ready' : '') +
        '\n',
    );
  } finally {
    clearTimeout(timer);
    await admin.disconnect().catch(() => undefined);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`kafka-ready: ${err && err.message ? err.message : err}\n`);
    process.exit(1);
  },
);
