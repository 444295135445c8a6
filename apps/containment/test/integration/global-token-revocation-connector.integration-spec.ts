import { randomUUID } from 'node:crypto';

import { Topics } from '@agentgov/contracts';
import { anomalyEvent, RecordingReceiver, ServiceHarness, writeConnectorsFile } from '@agentgov/service-testing';
import { waitFor } from '@agentgov/test-support';

import { announceAgents, knownToContainment, receiptsOf } from '../support/containment-stack';

/**
 * Containment's `global-token-revocation` connector against the real provisioner's Global Token Revocation endpoint
 * (draft-parecki-oauth-global-token-revocation-06), both real processes. The two run on separate topic prefixes:
 * containment learns the agents from agent.lifecycle.v1 published here as the registry would, and the provisioner
 * never hears containment's containment.action.v1, so whatever ends the agent's tokens at the provisioner is the
 * GTR call and nothing else (the registry would otherwise suspend the agent too).
 */
describe('global-token-revocation connector: a containment ends the agent’s tokens at the real provisioner through its GTR endpoint', () => {
  const provisioner = new ServiceHarness('provisioner');
  let containment: ServiceHarness;
  /** Another system's GTR endpoint, for the owner-level connector. */
  const ownerReceiver = new RecordingReceiver(() => ({ status: 204 }));

  beforeAll(async () => {
    await ownerReceiver.start();
    await provisioner.start();
    const connectorsFile = writeConnectorsFile([
      {
        name: 'agentgov-gtr',
        type: 'global-token-revocation',
        endpoint: `${provisioner.url}/global-token-revocation`,
        bearerToken: await provisioner.token(['global-token-revocation'], 'containment-gtr'),
      },
      {
        name: 'owner-gtr',
        type: 'global-token-revocation',
        endpoint: `${ownerReceiver.url}/global-token-revocation`,
        bearerToken: 'token-for-the-other-system-0c9d8e7f',
        subject: 'owner',
        subjectFormat: 'email',
        // The narrowest role that reads an owner today (see the containment README).
        ownerDirectory: { baseUrl: provisioner.url, bearerToken: await provisioner.token(['read-owners'], 'containment-owner-directory') },
      },
    ]);
    containment = new ServiceHarness('containment', { env: { CONNECTORS_FILE: connectorsFile, DELIVERY_RETRY_BASE_MS: '100' } });
    await containment.start();
  }, 120000);

  afterAll(async () => {
    await containment?.stop();
    await provisioner.stop();
    await ownerReceiver.stop();
  });

  async function register(ownerId: string, parentAgentId?: string): Promise<{ id: string; secret: string }> {
    const agent = await provisioner.request('POST', '/agents', {
      name: parentAgentId ? 'crm sync helper' : 'crm sync',
      ownerId,
      purpose: 'crm-sync',
      platform: 'langgraph',
      riskTier: 'high',
      scopes: ['crm.read'],
      ...(parentAgentId ? { parentAgentId } : {}),
    });
    expect(agent.status).toBe(201);
    return { id: agent.body.id, secret: agent.body.clientSecret };
  }

  async function tokenOf(agent: { id: string; secret: string }): Promise<string> {
    const response = await fetch(`${provisioner.url}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${agent.id}:${agent.secret}`).toString('base64')}` },
      body: 'grant_type=client_credentials',
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { access_token: string }).access_token;
  }

  const active = async (token: string) => (await provisioner.request('POST', '/oauth2/introspect', { token }, ['introspect'])).body.active as boolean;

  it('contains an agent: its tokens and its sub-agent’s are inactive at the provisioner, the receipt confirmed; a bystander keeps working; the owner is left alone', async () => {
    const owner = await provisioner.request('POST', '/owners', { email: `owner-${randomUUID()}@example.com` });
    const agent = await register(owner.body.id);
    const helper = await register(owner.body.id, agent.id);
    const bystander = await register(owner.body.id);
    const [agentToken, helperToken, bystanderToken] = [await tokenOf(agent), await tokenOf(helper), await tokenOf(bystander)];
    expect([await active(agentToken), await active(helperToken), await active(bystanderToken)]).toEqual([true, true, true]);

    await announceAgents(containment, [{ agentId: agent.id, ownerId: owner.body.id, riskTier: 'high' }]);
    await knownToContainment([agent.id]);
    await containment.publish(Topics.AgentAnomaly, [{ data: anomalyEvent(agent.id, { riskTier: 'high', ownerId: owner.body.id }) }]);

    const receipts = await waitFor(
      () => receiptsOf(agent.id),
      (rows) => rows.length === 2 && rows.every((r) => r.status === 'confirmed'),
      { timeoutMs: 30000, intervalMs: 200, what: 'both receipts confirmed' },
    );
    expect(receipts.map((r) => [r.kind, r.target, r.status, r.reason])).toEqual([
      ['contain', 'agentgov-gtr', 'confirmed', 'every token of the agent revoked (204, opaque subject)'],
      ['contain', 'owner-gtr', 'confirmed', 'owner not offboarded in the registry: no owner-level revocation (active)'],
    ]);

    // Ended by the GTR call: the registry still has the agent active (it never heard of the containment).
    expect([await active(agentToken), await active(helperToken), await active(bystanderToken)]).toEqual([false, false, true]);
    expect((await provisioner.request('GET', `/agents/${agent.id}`)).body.status).toBe('active');
    const audit = await provisioner.request('GET', `/audit?subjectId=${agent.id}&limit=50`, undefined, ['soc-analyst']);
    expect(audit.body.items.filter((i: { action: string }) => i.action === 'global-token-revocation')).toEqual([
      expect.objectContaining({ actor: 'containment-gtr', subjectType: 'agent', details: expect.objectContaining({ agentsRevoked: 2 }) }),
    ]);
    // One agent contained says nothing about its owner: the other system heard nothing.
    expect(ownerReceiver.requests).toHaveLength(0);
  }, 90000);

  it("an owner's offboarding: the other system is told to log the owner out by email, the call shared by their agents; the provisioner confirms each agent", async () => {
    const email = `leaver-${randomUUID()}@example.com`;
    const owner = await provisioner.request('POST', '/owners', { email });
    const agents = [await register(owner.body.id), await register(owner.body.id)];
    const terminated = await provisioner.request('POST', `/owners/${owner.body.id}/lifecycle-events`, { kind: 'owner.terminated', reason: 'left' }, [
      'owner-lifecycle',
    ]);
    expect(terminated.status).toBe(202);
    await waitFor(
      () => provisioner.request('GET', `/owners/${owner.body.id}`),
      (r) => r.body.status === 'terminated',
      { what: 'the owner terminated in the registry' },
    );

    // The registry's cascade, as containment hears it on agent.lifecycle.v1.
    await announceAgents(
      containment,
      agents.map((a) => ({
        agentId: a.id,
        ownerId: owner.body.id,
        riskTier: 'high' as const,
        kind: 'agent.deprovisioned' as const,
        status: 'deprovisioned' as const,
      })),
    );
    for (const agent of agents) {
      const receipts = await waitFor(
        () => receiptsOf(agent.id),
        (rows) => rows.length === 2 && rows.every((r) => r.status === 'confirmed'),
        { timeoutMs: 30000, intervalMs: 200, what: 'both receipts of a deprovisioned agent confirmed' },
      );
      expect(receipts.map((r) => [r.kind, r.target])).toEqual([
        ['deprovision', 'agentgov-gtr'],
        ['deprovision', 'owner-gtr'],
      ]);
    }
    const calls = ownerReceiver.requests.filter((r) => r.body.includes(email));
    expect(calls.length).toBeGreaterThanOrEqual(1);
    expect(calls.length).toBeLessThanOrEqual(agents.length);
    expect(JSON.parse(calls[0]!.body)).toEqual({ sub_id: { format: 'email', email } });
    expect(calls[0]!.headers.authorization).toBe('Bearer token-for-the-other-system-0c9d8e7f');
  }, 90000);
});
