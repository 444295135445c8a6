import { waitFor, withTestDatabase } from '@agentgov/test-support';

import { ProvisionerHarness } from '../support/provisioner-harness';
import { seedAgentChains, seedOwner } from '../support/registry-seed';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describe("introspection's cache never answers for a state that changed", () => {
  const harness = new ProvisionerHarness();
  beforeAll(() => harness.start(), 60000);
  afterAll(() => harness.stop());

  async function tokenFor(id: string, secret: string): Promise<string> {
    const response = await fetch(`${harness.url}/oauth2/token`, {
      method: 'POST',
      headers: { ...FORM, authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` },
      body: 'grant_type=client_credentials',
    });
    return ((await response.json()) as { access_token: string }).access_token;
  }

  async function active(token: string): Promise<boolean> {
    const response = await fetch(`${harness.url}/oauth2/introspect`, {
      method: 'POST',
      headers: { ...FORM, authorization: `Bearer ${await harness.token(['introspect'])}` },
      body: `token=${token}`,
    });
    return ((await response.json()) as { active: boolean }).active;
  }

  it('drops what it cached when its notification connection is cut, and a change made meanwhile counts', async () => {
    const { agents, secret } = await seedAgentChains({ ownerId: await seedOwner(), chains: 1, levels: 1 });
    const token = await tokenFor(agents[0].id, secret);
    expect(await active(token)).toBe(true); // now cached

    await withTestDatabase(async (c) => {
      await c.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'provisioner-token-state'`);
      await c.query(`UPDATE "provisioner"."agents" SET "status" = 'suspended' WHERE "id" = $1`, [agents[0].id]);
    });
    await waitFor(
      () => active(token),
      (a) => a === false,
      { timeoutMs: 2000, intervalMs: 50, what: 'the suspension to count' },
    );

    // And once the listener is back, changes keep reaching the cache.
    await withTestDatabase((c) => c.query(`UPDATE "provisioner"."agents" SET "status" = 'active' WHERE "id" = $1`, [agents[0].id]));
    await waitFor(
      () => active(token),
      (a) => a === true,
      { timeoutMs: 5000, intervalMs: 100, what: 'reactivation to count' },
    );
    await withTestDatabase((c) => c.query(`UPDATE "provisioner"."agents" SET "tokens_not_before" = now() WHERE "id" = $1`, [agents[0].id]));
    expect(
      await waitFor(
        () => active(token),
        (a) => a === false,
        { timeoutMs: 500, intervalMs: 20, what: 'revoke-all to count' },
      ),
    ).toBe(false);
  });
});
