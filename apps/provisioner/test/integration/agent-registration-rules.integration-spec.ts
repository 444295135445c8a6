import { withTestDatabase } from '@agentgov/test-support';

import { ProvisionerHarness } from '../support/provisioner-harness';
import { seedOwner } from '../support/registry-seed';

const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();

describe('agent registration enforces ownership and delegation rules', () => {
  const harness = new ProvisionerHarness({ DELEGATION_MAX_DEPTH: '2' });
  let ownerId: string;
  let parent: any;

  beforeAll(async () => {
    await harness.start();
    ownerId = await seedOwner();
  }, 60000);
  afterAll(() => harness.stop());

  const register = (body: Record<string, unknown>, roles: any[] = ['admin']) =>
    harness.request('POST', '/agents', { name: 'agent', purpose: 'crm-sync', platform: 'langgraph', riskTier: 'medium', scopes: [], ...body }, roles);

  it('registers a top-level agent with its client secret shown once and stored only as a hash', async () => {
    const res = await register({ ownerId, scopes: ['crm.read', 'crm.write'], expiresAt: inDays(30) });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ ownerId, status: 'active', depth: 0, scopes: ['crm.read', 'crm.write'], createdBy: 'test-admin' });
    expect(res.body.clientSecret).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    parent = res.body;

    const fetched = await harness.request('GET', `/agents/${parent.id}`, undefined, ['reviewer']);
    expect(fetched.body.clientSecret).toBeUndefined();
    const [row] = await withTestDatabase(
      async (c) => (await c.query(`SELECT "client_secret_hash" FROM "provisioner"."agents" WHERE "id" = $1`, [parent.id])).rows,
    );
    expect(row.client_secret_hash).toMatch(/^sha256\$/);
    expect(row.client_secret_hash).not.toContain(parent.clientSecret);
  });

  it('registers a sub-agent under its parent, inheriting the owner', async () => {
    const res = await register({ parentAgentId: parent.id, scopes: ['crm.read'], expiresAt: inDays(10) });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ ownerId, parentAgentId: parent.id, depth: 1 });
  });

  it.each([
    ['SCOPES_EXCEED_PARENT', () => ({ parentAgentId: parent.id, scopes: ['crm.read', 'payments.write'], expiresAt: inDays(5) }), /payments\.write/],
    ['OUTLIVES_PARENT', () => ({ parentAgentId: parent.id, scopes: ['crm.read'], expiresAt: inDays(60) }), /expires at/],
    ['OUTLIVES_PARENT', () => ({ parentAgentId: parent.id, scopes: ['crm.read'] }), /expires at/],
    ['EXPIRY_IN_PAST', () => ({ ownerId, expiresAt: inDays(-1) }), /not in the future/],
    ['PARENT_NOT_FOUND', () => ({ parentAgentId: '00000000-0000-4000-8000-000000000000' }), /no agent/],
    ['OWNER_NOT_FOUND', () => ({ ownerId: 'nobody-at-all' }), /no owner/],
  ])('refuses %s with a problem that names the rule', async (code, body, detail) => {
    const res = await register(body());
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ code, status: 422 });
    expect(res.body.detail).toMatch(detail);
  });

  it('bounds the delegation depth by configuration', async () => {
    const expiresAt = inDays(5); // the same instant for the whole chain: a sub-agent may not outlive its parent by a millisecond
    const child = await register({ parentAgentId: parent.id, scopes: ['crm.read'], expiresAt });
    const grandchild = await register({ parentAgentId: child.body.id, scopes: ['crm.read'], expiresAt });
    expect(grandchild.status).toBe(201);
    expect(grandchild.body.depth).toBe(2);
    const tooDeep = await register({ parentAgentId: grandchild.body.id, scopes: ['crm.read'], expiresAt });
    expect(tooDeep.status).toBe(422);
    expect(tooDeep.body.code).toBe('DELEGATION_TOO_DEEP');
  });

  it('refuses an owner who is not active, bad bodies, and callers without the admin role', async () => {
    const gone = await seedOwner({ status: 'terminated' });
    expect((await register({ ownerId: gone })).body.code).toBe('OWNER_NOT_ACTIVE');
    const invalid = await register({ ownerId, riskTier: 'extreme', unexpected: 1 });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(expect.arrayContaining(['/riskTier', '/unexpected']));
    expect((await register({ ownerId }, ['soc-analyst'])).status).toBe(403);
    expect((await fetch(`${harness.url}/agents`, { method: 'POST' })).status).toBe(401);
  });

  it('answers the questions a security team asks: an owner’s tree, orphans, counts', async () => {
    const tree = await harness.request('GET', `/owners/${ownerId}/agents`, undefined, ['soc-analyst']);
    expect(tree.body.items.length).toBeGreaterThanOrEqual(4);
    expect(tree.body.items.every((a: { ownerId: string }) => a.ownerId === ownerId)).toBe(true);

    const leaver = await seedOwner();
    const orphan = await register({ ownerId: leaver, scopes: ['x.read'] });
    await withTestDatabase((c) => c.query(`UPDATE "provisioner"."owners" SET "status" = 'terminated' WHERE "id" = $1`, [leaver]));
    const orphans = await harness.request('GET', `/agents?orphaned=true&ownerId=${leaver}`, undefined, ['soc-analyst']);
    expect(orphans.body.items.map((a: { id: string }) => a.id)).toEqual([orphan.body.id]);

    const stats = await harness.request('GET', '/agents/stats', undefined, ['reviewer']);
    expect(stats.body.byOwner[ownerId]).toBe(tree.body.items.length);
    expect(stats.body.byStatus.active).toBeGreaterThan(0);

    const page1 = await harness.request('GET', `/agents?ownerId=${ownerId}&limit=2`, undefined, ['admin']);
    const page2 = await harness.request('GET', `/agents?ownerId=${ownerId}&limit=2&after=${page1.body.nextAfter}`, undefined, ['admin']);
    expect(page1.body.items).toHaveLength(2);
    expect(page2.body.items[0].id > page1.body.items[1].id).toBe(true);
  });

  it('narrowing an agent narrows its sub-agents, and widening beyond the parent is refused', async () => {
    const top = await register({ ownerId, scopes: ['a.read', 'a.write', 'b.read'] });
    const sub = await register({ parentAgentId: top.body.id, scopes: ['a.read', 'b.read'] });
    const narrowed = await harness.request('PATCH', `/agents/${top.body.id}`, { scopes: ['a.read', 'a.write'] });
    expect(narrowed.status).toBe(200);
    expect((await harness.request('GET', `/agents/${sub.body.id}`)).body.scopes).toEqual(['a.read']);
    const widened = await harness.request('PATCH', `/agents/${sub.body.id}`, { scopes: ['a.read', 'b.read'] });
    expect(widened.body.code).toBe('SCOPES_EXCEED_PARENT');
  });
});
