import { randomUUID } from 'node:crypto';

import { Topics } from '@agentgov/contracts';
import { anomalyEvent, ServiceHarness, writeConnectorsFile } from '@agentgov/service-testing';
import { KeycloakTestRealm, waitFor } from '@agentgov/test-support';

import { alertsOf, knownToContainment, receiptsOf } from '../support/containment-stack';

const CONTAINED = /^client disabled, notBefore set to (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z): earlier tokens inactive$/;

/**
 * Provisioner and containment as real processes on the real broker and database, with a `keycloak` connector at the
 * real local Keycloak 26 (a realm of this test's own): an anomaly of an agent registered there as a client ends its
 * access and its sub-agent's at Keycloak, as Keycloak's own token endpoint and introspection say; a bystander whose
 * clientId starts with the agent's id keeps its access; a release by two analysts gives the agent back its client.
 */
describe('containment at a real Keycloak: an anomaly ends the agent’s access there, and only its', () => {
  const provisioner = new ServiceHarness('provisioner');
  let containment: ServiceHarness;
  let realm: KeycloakTestRealm;

  beforeAll(async () => {
    realm = await KeycloakTestRealm.create();
    await provisioner.start();
    const connectorsFile = writeConnectorsFile([realm.connectorEntry('corp-keycloak')]);
    containment = new ServiceHarness('containment', { env: { CONNECTORS_FILE: connectorsFile, DELIVERY_RETRY_BASE_MS: '100' } }, provisioner);
    await containment.start();
  }, 120000);

  afterAll(async () => {
    await containment?.stop();
    await provisioner.stop();
    await realm?.remove();
  });

  const active = async (token: string) => (await realm.introspect(token)).active;
  const keycloakReceipts = async (agentId: string) => (await receiptsOf(agentId)).filter((r) => r.target === 'corp-keycloak');

  it('contains the agent and its sub-agent at Keycloak, receipts confirmed, the bystander untouched; a release enables the agent again', async () => {
    const owner = await provisioner.request('POST', '/owners', { email: `owner-${randomUUID()}@example.com` });
    const register = (body: Record<string, unknown>) =>
      provisioner.request('POST', '/agents', {
        name: 'crm sync',
        ownerId: owner.body.id,
        purpose: 'crm-sync',
        platform: 'langgraph',
        scopes: ['crm.read'],
        ...body,
      });
    const agent = await register({ riskTier: 'high' });
    expect(agent.status).toBe(201);
    const sub = await register({ parentAgentId: agent.body.id, riskTier: 'high' });
    expect(sub.status).toBe(201);
    const agentId: string = agent.body.id;
    const subId: string = sub.body.id;

    // At Keycloak each agent is a confidential client named by its agent id; the bystander's clientId starts with it.
    const atKeycloak = { agent: await realm.addClient(agentId), sub: await realm.addClient(subId), bystander: await realm.addClient(`${agentId}-reporting`) };
    const tokens = {
      agent: await realm.clientCredentialsToken(atKeycloak.agent),
      sub: await realm.clientCredentialsToken(atKeycloak.sub),
      bystander: await realm.clientCredentialsToken(atKeycloak.bystander),
    };
    for (const token of Object.values(tokens)) expect(await active(token)).toBe(true);
    // Containment learns both agents (owner, tier) from the provisioner's agent.lifecycle.v1.
    await knownToContainment([agentId, subId]);

    await containment.publish(Topics.AgentAnomaly, [{ data: anomalyEvent(agentId, { riskTier: 'high', ownerId: owner.body.id }) }]);

    // The agent's own action, and the sub-agent's (the provisioner suspends it with its parent, and says so).
    const [agentReceipt] = await waitFor(
      () => keycloakReceipts(agentId),
      (rows) => rows.some((r) => r.kind === 'contain' && r.status === 'confirmed'),
      { timeoutMs: 40000, intervalMs: 250, what: "the agent's keycloak receipt" },
    );
    const [subReceipt] = await waitFor(
      () => keycloakReceipts(subId),
      (rows) => rows.some((r) => r.kind === 'contain' && r.status === 'confirmed'),
      { timeoutMs: 40000, intervalMs: 250, what: "the sub-agent's keycloak receipt" },
    );
    // What the receipts say is what Keycloak did: the client disabled and its notBefore moved; no session (a
    // client_credentials token has none), so none is claimed.
    expect(agentReceipt).toMatchObject({ kind: 'contain', origin: 'policy', status: 'confirmed', reason: expect.stringMatching(CONTAINED) });
    expect(subReceipt).toMatchObject({ kind: 'contain', origin: 'lifecycle', status: 'confirmed', reason: expect.stringMatching(CONTAINED) });

    const alerts = await waitFor(
      async () => (await alertsOf(containment, 1)).filter((a) => a.agentId === agentId),
      (list) => list.some((a) => a.actions[0]?.receipts.some((r) => r.connector === 'corp-keycloak' && r.status === 'confirmed')),
      { timeoutMs: 30000, intervalMs: 500, what: "the SOC's alert with the keycloak receipt" },
    );
    const incidentId = alerts.at(-1)!.incidentId;
    expect(alerts.at(-1)).toMatchObject({ agentId, status: 'contained' });

    // Keycloak says so itself: the agent's and the sub-agent's clients are disabled, their tokens inactive at
    // introspection, and a new one is refused.
    for (const [name, clientId, token] of [
      ['agent', agentId, tokens.agent],
      ['sub-agent', subId, tokens.sub],
    ] as const) {
      const client = await realm.client(clientId);
      expect({ name, enabled: client.enabled, active: await active(token) }).toEqual({ name, enabled: false, active: false });
      expect(client.notBefore * 1000).toBe(Date.parse(CONTAINED.exec(name === 'agent' ? agentReceipt!.reason! : subReceipt!.reason!)![1]!));
      expect((await realm.tryClientCredentials(realm.clients.get(clientId)!)).status).toBe(401);
    }
    // The bystander, whose clientId starts with the agent's id, keeps its client and its token.
    expect(await realm.client(`${agentId}-reporting`)).toMatchObject({ enabled: true, notBefore: 0 });
    expect(await active(tokens.bystander)).toBe(true);

    // Two analysts release it (a score of 0.99 or more): Keycloak enables the client again; its token from before
    // stays inactive, a new one works.
    const release = (by: string) =>
      containment.request('POST', `/incidents/${incidentId}/release`, { reason: 'batch job approved by the data owner' }, ['soc-analyst'], by);
    expect((await release('first-analyst')).status).toBe(200);
    expect((await release('second-analyst')).body).toMatchObject({ status: 'released' });
    const [released] = await waitFor(
      async () => (await keycloakReceipts(agentId)).filter((r) => r.kind === 'release'),
      (rows) => rows.some((r) => r.status === 'confirmed'),
      { timeoutMs: 30000, intervalMs: 250, what: "the release's keycloak receipt" },
    );
    expect(released).toMatchObject({ status: 'confirmed', reason: 'client enabled again' });
    const after = await realm.client(agentId);
    expect(after.enabled).toBe(true);
    expect(await active(tokens.agent)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, after.notBefore * 1000 - Date.now() + 50)));
    expect(await active(await realm.clientCredentialsToken(atKeycloak.agent))).toBe(true);
    expect(await active(tokens.bystander)).toBe(true);
  }, 120000);
});
