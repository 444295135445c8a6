import { randomUUID } from 'node:crypto';

import { withTestDatabase } from '@agentgov/test-support';

import { lifecycleEvents } from '../fixtures/lifecycle-events';
import { ProvisionerHarness } from '../support/provisioner-harness';

const harness = new ProvisionerHarness();

beforeAll(() => harness.start());
afterAll(() => harness.stop());

async function auditActions(ownerId: string): Promise<string[]> {
  const { rows } = await withTestDatabase((c) =>
    c.query(`SELECT "action" FROM "provisioner"."audit_log" WHERE "subject_type" = 'owner' AND "subject_id" = $1 ORDER BY "seq"`, [ownerId]),
  );
  return rows.map((r) => r.action);
}

describe('owners API', () => {
  it('registers an owner with its IdP identities, normalises the phone, and audits it', async () => {
    const created = await harness.request(
      'POST',
      '/owners',
      {
        email: 'Ada.Lovelace@Example.com',
        phone: '+44 20-7946 0958',
        displayName: 'Ada',
        team: 'R&D',
        identities: [{ source: 'okta', externalId: `00u${randomUUID()}` }],
      },
      ['ingest'],
    );

    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ email: 'Ada.Lovelace@Example.com', phone: '+442079460958', status: 'active', statusChangedAt: null });
    expect(created.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await harness.request('GET', `/owners/${created.body.id}`)).body).toEqual(created.body);
    expect(await auditActions(created.body.id)).toEqual(['owner.created']);
  });

  it('refuses a duplicate id, an identity of another owner, bad fields, and callers without the role, changing nothing', async () => {
    const id = `emp-${randomUUID()}`;
    const identity = { source: 'workday', externalId: `W${randomUUID()}` };
    expect((await harness.request('POST', '/owners', { id, identities: [identity] })).status).toBe(201);

    const duplicate = await harness.request('POST', '/owners', { id });
    const otherId = `emp-${randomUUID()}`;
    const taken = await harness.request('POST', '/owners', { id: otherId, identities: [identity] });
    const bad = await harness.request('POST', '/owners', { id: 'has space', email: 'not-an-email', status: 'terminated' });
    const forbidden = await harness.request('POST', '/owners', { id: `emp-${randomUUID()}` }, ['reviewer']);

    expect(duplicate).toMatchObject({ status: 409, body: { code: 'OWNER_EXISTS' } });
    expect(taken).toMatchObject({ status: 409, body: { code: 'OWNER_IDENTITY_TAKEN' } });
    expect((await harness.request('GET', `/owners/${otherId}`)).status).toBe(404);
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(bad.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/email', '/id', '/status']);
    expect(forbidden.status).toBe(403);
  });

  it('updates profile fields but never the status, and replaces identities, each audited', async () => {
    const { body: owner } = await harness.request('POST', '/owners', { email: 'grace@example.com' });

    const patched = await harness.request('PATCH', `/owners/${owner.id}`, { displayName: 'Grace', managerId: 'mgr-1', email: null });
    const statusPatch = await harness.request('PATCH', `/owners/${owner.id}`, { status: 'terminated' });
    const identities = await harness.request('PUT', `/owners/${owner.id}/identities`, { identities: [{ source: 'entra', externalId: randomUUID() }] });

    expect(patched).toMatchObject({ status: 200, body: { displayName: 'Grace', managerId: 'mgr-1', email: null, status: 'active' } });
    expect(statusPatch.status).toBe(400);
    expect(identities.body.identities).toHaveLength(1);
    expect(await auditActions(owner.id)).toEqual(['owner.created', 'owner.profile-updated', 'owner.identities-changed']);
  });

  it('lists owners page by page with a cursor, and filters by status', async () => {
    const ids = [] as string[];
    for (let i = 0; i < 3; i++) ids.push((await harness.request('POST', '/owners', { displayName: `page-${i}` })).body.id);

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await harness.request('GET', `/owners?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((o: { id: string }) => o.id));
      cursor = page.body.nextCursor;
    } while (cursor);

    expect(seen).toEqual(expect.arrayContaining(ids));
    expect(new Set(seen).size).toBe(seen.length);
    expect((await harness.request('GET', '/owners?status=gone')).status).toBe(400);
    expect((await harness.request('GET', '/owners?cursor=zzz')).status).toBe(400);
    const terminated = await harness.request('GET', '/owners?status=terminated&limit=500');
    expect(terminated.body.items.every((o: { status: string }) => o.status === 'terminated')).toBe(true);
  });

  it('reports a lifecycle change as one identity.lifecycle.v1 event, once per Idempotency-Key', async () => {
    const { body: owner } = await harness.request('POST', '/owners', { displayName: 'Leaver' });
    const send = async (key: string) =>
      fetch(`${harness.url}/owners/${owner.id}/lifecycle-events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await harness.token(['owner-lifecycle'])}`, 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify({
          kind: 'owner.transferred',
          occurredAt: '2025-01-02T03:04:05.000Z',
          newManagerId: 'mgr-9',
          newTeam: 'Platform',
          source: 'workday',
        }),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

    const first = await send('req-1');
    const repeat = await send('req-1');
    const unknownOwner = await harness.request('POST', `/owners/${randomUUID()}/lifecycle-events`, { kind: 'owner.terminated' });
    const transferWithoutTarget = await harness.request('POST', `/owners/${owner.id}/lifecycle-events`, { kind: 'owner.transferred' });
    const managerOnTermination = await harness.request('POST', `/owners/${owner.id}/lifecycle-events`, { kind: 'owner.terminated', newManagerId: 'x' });
    const future = await harness.request('POST', `/owners/${owner.id}/lifecycle-events`, { kind: 'owner.terminated', occurredAt: '2999-01-01T00:00:00Z' });
    const badKind = await harness.request('POST', `/owners/${owner.id}/lifecycle-events`, { kind: 'owner.fired' });

    expect(first).toMatchObject({ status: 202, body: { duplicate: false } });
    expect(repeat).toMatchObject({ status: 202, body: { eventId: first.body.eventId, duplicate: true } });
    expect([unknownOwner.status, transferWithoutTarget.status, managerOnTermination.status, future.status, badKind.status]).toEqual([404, 400, 400, 400, 400]);

    const events = (await lifecycleEvents(harness, 1)).filter((e) => e.key === owner.id);
    expect(events).toEqual([
      {
        id: first.body.eventId,
        key: owner.id,
        type: expect.any(String),
        data: {
          kind: 'owner.transferred',
          ownerId: owner.id,
          source: 'workday',
          occurredAt: '2025-01-02T03:04:05.000Z',
          newManagerId: 'mgr-9',
          newTeam: 'Platform',
        },
      },
    ]);
    expect(await auditActions(owner.id)).toContain('owner.lifecycle-reported');
  });
});
