import { withTestDatabase } from '@agentgov/test-support';

import { ProvisionerHarness } from '../support/provisioner-harness';
import { seedOwner } from '../support/registry-seed';

describe('the audit trail is tamper-evident', () => {
  const harness = new ProvisionerHarness();
  beforeAll(() => harness.start(), 60000);
  afterAll(() => harness.stop());

  it('verification finds the row that was edited behind its back, and passes again once it is restored', async () => {
    const ownerId = await seedOwner();
    const created = await harness.request('POST', '/agents', { name: 'audited', ownerId, purpose: 'p', platform: 'x', riskTier: 'low', scopes: [] });
    expect(created.status).toBe(201);
    expect((await harness.request('GET', '/audit/verify')).body).toMatchObject({ ok: true });

    const [row] = await withTestDatabase(
      async (c) => (await c.query(`SELECT "seq", "details" FROM "provisioner"."audit_log" WHERE "subject_id" = $1`, [created.body.id])).rows,
    );
    await withTestDatabase((c) => c.query(`UPDATE "provisioner"."audit_log" SET "details" = '{"ownerId":"someone-else"}' WHERE "seq" = $1`, [row.seq]));
    try {
      const broken = await harness.request('GET', '/audit/verify');
      expect(broken.body).toMatchObject({ ok: false, brokenAtSeq: String(row.seq) });
      expect((await harness.request('GET', '/audit/verify', undefined, ['soc-analyst'])).status).toBe(403);
    } finally {
      await withTestDatabase((c) =>
        c.query(`UPDATE "provisioner"."audit_log" SET "details" = $2::jsonb WHERE "seq" = $1`, [row.seq, JSON.stringify(row.details)]),
      );
    }
    expect((await harness.request('GET', '/audit/verify')).body).toMatchObject({ ok: true });
  });
});
