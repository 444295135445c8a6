import { randomUUID } from 'node:crypto';

import { RecordingReceiver, ServiceHarness, writeConnectorsFile } from '@agentgov/service-testing';
import { waitFor } from '@agentgov/test-support';

import { announceAgents, knownToContainment, receiptsOf } from '../support/containment-stack';

const SECRET = 'a-webhook-secret-of-at-least-32-characters';

/**
 * A stale release racing a new containment: the release's call fails (the gateway is down for it) and waits for its
 * retry; meanwhile the agent is contained again. The release must never reach the gateway after that containment.
 */
describe('the latest decision wins at every connector', () => {
  let releasesFail = true;
  const gateway = new RecordingReceiver((request) =>
    releasesFail && JSON.parse(request.body).kind === 'release' ? { status: 503, headers: { 'retry-after': '1' } } : { status: 200 },
  );
  let harness: ServiceHarness;

  beforeAll(async () => {
    await gateway.start();
    harness = new ServiceHarness('containment', {
      env: {
        CONNECTORS_FILE: writeConnectorsFile([{ name: 'gateway', type: 'webhook', url: `${gateway.url}/logout`, secret: SECRET }]),
        // The failed release waits about two seconds for its retry: the new containment is decided meanwhile.
        DELIVERY_RETRY_BASE_MS: '2000',
      },
    });
    await harness.start();
  }, 60000);
  afterAll(async () => {
    await harness.stop();
    await gateway.stop();
  });

  const bodiesFor = (agentId: string) => gateway.about(agentId).map((r) => JSON.parse(r.body) as { kind: string; sequence: number; actionId: string });

  it('supersedes a release still waiting for its retry, and webhooks carry the order of decision', async () => {
    const agentId = randomUUID();
    await announceAgents(harness, [{ agentId, ownerId: 'owner-race', riskTier: 'high' }]);
    await knownToContainment([agentId]);

    const first = await harness.request('POST', `/agents/${agentId}/logout`, { reason: 'suspicious export' }, ['soc-analyst']);
    expect(first.status).toBe(202);
    await waitFor(
      () => receiptsOf(agentId),
      (r) => r.length === 1 && r[0]!.status === 'confirmed',
      { what: 'the first containment delivered' },
    );
    // Another analyst than the one who contained it releases it (separation of duties).
    const released = await harness.request('POST', `/incidents/${first.body.incidentId}/release`, { reason: 'false positive' }, ['soc-analyst'], 'analyst-two');
    expect(released.status).toBe(200);
    await waitFor(
      () => receiptsOf(agentId),
      (r) => r.some((d) => d.kind === 'release' && d.status === 'retrying'),
      { what: 'the release failing at the gateway and waiting for its retry' },
    );

    // Contained again while the release waits; the gateway now takes everything.
    const second = await harness.request('POST', `/agents/${agentId}/logout`, { reason: 'it did it again' }, ['soc-analyst']);
    expect(second.status).toBe(202);
    releasesFail = false;
    const receipts = await waitFor(
      () => receiptsOf(agentId),
      (r) => r.length === 3 && r.every((d) => !['pending', 'retrying'].includes(d.status)),
      { what: 'every receipt final' },
    );
    expect(receipts.map((d) => [d.kind, d.status])).toEqual([
      ['contain', 'confirmed'],
      ['release', 'superseded'],
      ['contain', 'confirmed'],
    ]);
    expect(receipts[1]!.reason).toMatch(/^superseded by a later contain/);

    // Past the release's retry time, the last thing the gateway heard about the agent is still the containment.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const bodies = bodiesFor(agentId);
    expect(bodies.map((b) => b.kind)).toEqual(['contain', 'release', 'contain']);
    const [c1, r1, c2] = bodies;
    expect(c1!.sequence).toBeLessThan(r1!.sequence);
    expect(r1!.sequence).toBeLessThan(c2!.sequence);
  }, 60000);
});
