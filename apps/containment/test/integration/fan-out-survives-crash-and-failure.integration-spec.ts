import { randomUUID } from 'node:crypto';

import { Topics } from '@agentgov/contracts';
import { anomalyEvent, RecordingReceiver, ServiceHarness, writeConnectorsFile } from '@agentgov/service-testing';
import { collectMessages, waitFor } from '@agentgov/test-support';

import { alertsOf, announceAgents, knownToContainment, receiptsOf } from '../support/containment-stack';

const SECRET = 'a-webhook-secret-of-at-least-32-characters';

describe('a fan-out interrupted by kill -9 finishes after restart without repeating a finished call', () => {
  const fast = new RecordingReceiver();
  // Holds the first call until the service has been killed; answers every later one.
  let holding = true;
  const slow = new RecordingReceiver(() => (holding ? 'hang' : { status: 200 }));
  let first: ServiceHarness;
  let second: ServiceHarness | undefined;

  beforeAll(async () => {
    await Promise.all([fast.start(), slow.start()]);
    const env = {
      CONNECTORS_FILE: writeConnectorsFile([
        { name: 'fast-webhook', type: 'webhook', url: `${fast.url}/logout`, secret: SECRET },
        { name: 'slow-webhook', type: 'webhook', url: `${slow.url}/logout`, secret: SECRET, timeoutMs: 60000 },
      ]),
      // A crashed instance's claimed calls are taken over after this long.
      DELIVERY_LEASE_MS: '3000',
    };
    first = new ServiceHarness('containment', { env });
    await first.start();
  }, 60000);

  afterAll(async () => {
    await second?.stop();
    first.service?.kill();
    await Promise.all([fast.stop(), slow.stop()]);
  });

  it('calls the finished connector once, repeats only the call in flight (same idempotency key), and ends with every receipt confirmed', async () => {
    const agentId = randomUUID();
    await announceAgents(first, [{ agentId, ownerId: 'owner-crash' }]);
    await knownToContainment([agentId]);
    await first.publish(Topics.AgentAnomaly, [{ data: anomalyEvent(agentId, { riskTier: 'critical' }) }]);

    // The fast receipt is recorded and the slow call is in flight: now the process dies.
    await waitFor(
      () => receiptsOf(agentId),
      (r) => r.some((d) => d.target === 'fast-webhook' && d.status === 'confirmed'),
      { what: 'the fast receipt' },
    );
    await waitFor(
      async () => slow.about(agentId).length,
      (n) => n === 1,
      { what: 'the slow call in flight' },
    );
    await first.service.stop('SIGKILL');
    holding = false;

    second = first.replica();
    await second.start();
    const receipts = await waitFor(
      () => receiptsOf(agentId),
      (r) => r.length === 2 && r.every((d) => d.status === 'confirmed'),
      {
        what: 'every receipt confirmed after the restart',
        timeoutMs: 30000,
      },
    );
    expect(receipts.map((r) => [r.target, r.attempts])).toEqual([
      ['fast-webhook', 1],
      ['slow-webhook', 2],
    ]);
    expect(fast.about(agentId)).toHaveLength(1);
    const slowCalls = slow.about(agentId);
    expect(slowCalls).toHaveLength(2);
    expect(new Set(slowCalls.map((c) => c.headers['idempotency-key'])).size).toBe(1);

    const alerts = (await alertsOf(second, 2)).filter((a) => a.agentId === agentId);
    expect(alerts[alerts.length - 1].actions[0].receipts.map((r) => r.status)).toEqual(['confirmed', 'confirmed']);
    // The provisioner hears of the containment once (by ce_id, which is what it deduplicates on).
    const actions = (await collectMessages(second.kafka, second.topic(Topics.ContainmentAction), 1, { settleMs: 1000 })).filter(
      (m) => JSON.parse(m.value).agentId === agentId,
    );
    expect(new Set(actions.map((m) => m.headers['ce_id'])).size).toBe(1);
  }, 90000);
});

describe('a connector that keeps failing raises an alert instead of being forgotten', () => {
  const broken = new RecordingReceiver(() => ({ status: 500, body: { error: 'internal' } }));
  let harness: ServiceHarness;

  beforeAll(async () => {
    await broken.start();
    harness = new ServiceHarness('containment', {
      env: {
        CONNECTORS_FILE: writeConnectorsFile([{ name: 'broken-webhook', type: 'webhook', url: `${broken.url}/logout`, secret: SECRET }]),
        DELIVERY_RETRY_BASE_MS: '50',
        DELIVERY_RETRY_MAX_MS: '200',
        DELIVERY_ALERT_AFTER_ATTEMPTS: '3',
        DELIVERY_MAX_ATTEMPTS: '6',
      },
    });
    await harness.start();
  }, 60000);
  afterAll(async () => {
    await harness.stop();
    await broken.stop();
  });

  it('a registry deprovisioning fans out; the failing connector opens an incident, alerts while retrying, and again when it gives up', async () => {
    const agentId = randomUUID();
    await announceAgents(harness, [{ agentId, ownerId: 'owner-leaver', riskTier: 'medium' }]);
    await knownToContainment([agentId]);
    await announceAgents(harness, [{ agentId, ownerId: 'owner-leaver', riskTier: 'medium', kind: 'agent.deprovisioned', status: 'deprovisioned' }]);

    const [receipt] = await waitFor(
      () => receiptsOf(agentId),
      (r) => r.length === 1 && r[0].status === 'failed',
      { what: 'the connector to be given up', timeoutMs: 30000 },
    );
    expect(receipt).toMatchObject({ kind: 'deprovision', origin: 'lifecycle', attempts: 6 });
    expect(receipt.reason).toMatch(/^gave up after 6 attempts: .*500/);
    expect(broken.about(agentId)).toHaveLength(6);

    const alerts = await waitFor(
      async () => (await alertsOf(harness, 1)).filter((a) => a.agentId === agentId),
      (a) => a.some((x) => x.actions[0]?.receipts[0]?.status === 'failed'),
      { what: 'the alert of the failure', timeoutMs: 20000 },
    );
    expect(alerts[0]).toMatchObject({ status: 'open', severity: 'high', ownerId: 'owner-leaver', riskTier: 'medium' });
    expect(alerts[0].actions[0].receipts[0]).toMatchObject({ connector: 'broken-webhook', status: 'retrying' });
    expect(alerts[0].ocsf.finding_info).toMatchObject({ types: ['connector-failure'] });
    expect(new Set(alerts.map((a) => a.incidentId)).size).toBe(1);
    // The registry made the decision: containment does not announce an action of its own for it.
    const actions = await collectMessages(harness.kafka, harness.topic(Topics.ContainmentAction), 0, { settleMs: 1000 });
    expect(actions.filter((m) => JSON.parse(m.value).agentId === agentId)).toHaveLength(0);
  }, 60000);
});
