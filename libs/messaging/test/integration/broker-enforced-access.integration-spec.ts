import { Admin, Kafka, logLevel, Partitioners } from 'kafkajs';

import {
  LOCAL_MTLS_BROKERS,
  LOCAL_SECURE_BROKERS,
  localBrokerClientCertificate,
  localBrokerSecurity,
  removeTestTopics,
  testKafkaConnection,
  testTopicPrefix,
  waitFor,
} from '@agentgov/test-support';

import { catalogTopics, ensureTopics } from '../../src';
import { applyKafkaAccess, removeKafkaAccess, waitForKafkaAccess } from '../../src/kafka/kafka-access';
import { kafkaConnectionOptions, type KafkaSecurity } from '../../src/kafka/kafka-security';

/**
 * The broker, not our code, refuses a producer without a write ACL: the local broker's locked-down listener (TLS,
 * SCRAM-SHA-512, no access without an ACL) with the access table applied under this test's topic prefix. A principal
 * that may write one topic is refused on the topics that deprovision agents, terminate owners or raise anomalies,
 * and those topics stay exactly as they were.
 */
const prefix = testTopicPrefix('acl');
const setup = new Kafka({ clientId: 'acl-test-setup', ...testKafkaConnection(), logLevel: logLevel.NOTHING });
let admin: Admin;

function clientAs(security: KafkaSecurity): Kafka {
  return new Kafka({
    clientId: 'acl-test',
    brokers: security.protocol === 'ssl' ? LOCAL_MTLS_BROKERS : LOCAL_SECURE_BROKERS,
    ...kafkaConnectionOptions(security),
    connectionTimeout: 3000,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
}

async function endOffset(topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(prefix + topic);
  return offsets.reduce((sum, p) => sum + Number(p.high), 0);
}

/** Sends one message as the principal; resolves to the broker's error type, or 'written'. */
async function writeAs(principal: string, topic: string, security: KafkaSecurity = localBrokerSecurity(principal)): Promise<string> {
  const producer = clientAs(security).producer({ createPartitioner: Partitioners.DefaultPartitioner, retry: { retries: 0 } });
  await producer.connect();
  try {
    await producer.send({ topic: prefix + topic, messages: [{ key: 'agent-1', value: '{"forged":true}' }] });
    return 'written';
  } catch (error) {
    // With no retries, kafkajs wraps the broker's error once.
    const e = error as { type?: string; cause?: { type?: string } };
    return e.type ?? e.cause?.type ?? String(error);
  } finally {
    await producer.disconnect();
  }
}

beforeAll(async () => {
  admin = setup.admin();
  await admin.connect();
  await ensureTopics(setup, catalogTopics(prefix));
  await applyKafkaAccess(admin, prefix);
  // New topics need their leaders before the first write.
  for (const t of catalogTopics(prefix)) {
    await waitFor(
      () => admin.fetchTopicOffsets(t.topic).catch(() => []),
      (offsets) => offsets.length > 0,
      { what: `the leaders of ${t.topic}` },
    );
  }
  await waitForKafkaAccess(admin, prefix);
}, 60_000);

afterAll(async () => {
  await removeKafkaAccess(admin, prefix).catch(() => undefined);
  await admin.disconnect();
  await removeTestTopics(prefix);
}, 60_000);

describe('the broker enforces who may write each topic', () => {
  it('lets an agent gateway write activity, and refuses it containment actions, owner lifecycle and anomalies, changing nothing', async () => {
    const before = await Promise.all(['containment.action.v1', 'identity.lifecycle.v1', 'agent.anomaly.v1'].map(endOffset));
    const activityBefore = await endOffset('agent.activity.v1');

    expect(await writeAs('activity-gateway', 'agent.activity.v1')).toBe('written');
    expect(await writeAs('activity-gateway', 'containment.action.v1')).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(await writeAs('activity-gateway', 'identity.lifecycle.v1')).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(await writeAs('activity-gateway', 'agent.anomaly.v1')).toBe('TOPIC_AUTHORIZATION_FAILED');

    expect(await endOffset('agent.activity.v1')).toBe(activityBefore + 1);
    expect(await Promise.all(['containment.action.v1', 'identity.lifecycle.v1', 'agent.anomaly.v1'].map(endOffset))).toEqual(before);
  }, 60_000);

  it('lets the HR bridge write only owner lifecycle, and each service only what it produces', async () => {
    expect(await writeAs('hr-bridge', 'identity.lifecycle.v1')).toBe('written');
    expect(await writeAs('hr-bridge', 'containment.action.v1')).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(await writeAs('hr-bridge', 'agent.anomaly.v1')).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(await writeAs('behavior-baseliner', 'agent.anomaly.v1')).toBe('written');
    expect(await writeAs('behavior-baseliner', 'containment.action.v1')).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(await writeAs('containment', 'containment.action.v1')).toBe('written');
    expect(await writeAs('containment', 'identity.lifecycle.v1')).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(await writeAs('review-scheduler', 'review.decision.v1')).toBe('written');
    expect(await writeAs('review-scheduler', 'agent.lifecycle.v1')).toBe('TOPIC_AUTHORIZATION_FAILED');
  }, 60_000);

  it('refuses a wrong password, and a client that does not speak TLS and SCRAM', async () => {
    const wrong = clientAs(localBrokerSecurity('hr-bridge', { password: 'not-the-password' })).producer();
    await expect(wrong.connect()).rejects.toThrow(/SASL SCRAM SHA512 authentication failed/);
    const plain = new Kafka({
      clientId: 'acl-test-plain',
      brokers: LOCAL_SECURE_BROKERS,
      connectionTimeout: 2000,
      retry: { retries: 0 },
      logLevel: logLevel.NOTHING,
    });
    await expect(plain.producer().connect()).rejects.toThrow();
  }, 60_000);

  it('gives a client certificate the same principal and ACLs as SCRAM (mutual TLS), and refuses a client without one', async () => {
    expect(await writeAs('hr-bridge', 'identity.lifecycle.v1', localBrokerClientCertificate('hr-bridge'))).toBe('written');
    expect(await writeAs('hr-bridge', 'containment.action.v1', localBrokerClientCertificate('hr-bridge'))).toBe('TOPIC_AUTHORIZATION_FAILED');
    const { ca } = (localBrokerClientCertificate('hr-bridge') as { tls: { ca: string } }).tls;
    const anonymous = new Kafka({
      clientId: 'acl-test-no-cert',
      brokers: LOCAL_MTLS_BROKERS,
      ssl: { rejectUnauthorized: true, ca: [ca] },
      connectionTimeout: 2000,
      retry: { retries: 0 },
      logLevel: logLevel.NOTHING,
    });
    await expect(anonymous.producer().connect()).rejects.toThrow();
  }, 60_000);
});
