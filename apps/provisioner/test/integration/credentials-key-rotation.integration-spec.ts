import { randomUUID } from 'node:crypto';

import { decodeProtectedHeader } from 'jose';

import { uniqueName, withTestDatabase } from '@agentgov/test-support';

import { generateClientSecret, hashClientSecret } from '../../src/credentials/client-secret';
import { ProvisionerHarness } from '../support/provisioner-harness';

describe('rotating the signing key keeps earlier tokens valid on every replica', () => {
  // Two replicas of one deployment (same database, same topics): the rotation happens on the first, tokens
  // are also issued and checked on the second.
  const first = new ProvisionerHarness();
  const second = new ProvisionerHarness({ KAFKA_TOPIC_PREFIX: first.topicPrefix });
  const agentId = randomUUID();
  const secret = generateClientSecret();

  async function issue(harness: ProvisionerHarness): Promise<string> {
    const response = await fetch(`${harness.url}/oauth2/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${agentId}:${secret}`).toString('base64')}`,
      },
      body: 'grant_type=client_credentials',
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { access_token: string }).access_token;
  }

  async function kids(harness: ProvisionerHarness): Promise<string[]> {
    const jwks = (await fetch(`${harness.url}/.well-known/jwks.json`).then((r) => r.json())) as { keys: Array<Record<string, unknown> & { kid: string }> };
    return jwks.keys.map((k: { kid: string }) => k.kid);
  }

  beforeAll(async () => {
    const ownerId = uniqueName('cred-owner');
    const hash = await hashClientSecret(secret);
    await withTestDatabase(async (c) => {
      await c.query(`INSERT INTO "provisioner"."owners" ("id", "status") VALUES ($1, 'active')`, [ownerId]);
      await c.query(
        `INSERT INTO "provisioner"."agents" ("id", "name", "owner_id", "purpose", "platform", "risk_tier", "scopes", "created_by", "client_secret_hash")
         VALUES ($1, 'rotation agent', $2, 'credentials tests', 'langgraph', 'low', '{crm:read}', 'test', $3)`,
        [agentId, ownerId, hash],
      );
    });
    await first.start();
    await second.start();
  }, 90000);
  afterAll(() => Promise.all([first.stop(), second.stop()]));

  it('signs new tokens with the new kid, lists both keys, and still accepts tokens signed with the old one', async () => {
    const before = await issue(first);
    const oldKid = decodeProtectedHeader(before).kid!;
    expect(decodeProtectedHeader(await issue(second)).kid).toBe(oldKid);

    const rotated = await first.request('POST', '/oauth2/keys/rotate');

    expect(rotated.status).toBe(200);
    expect(rotated.body.retired).toContain(oldKid);
    const newKid: string = rotated.body.kid;
    expect(newKid).not.toBe(oldKid);
    expect(decodeProtectedHeader(await issue(first)).kid).toBe(newKid);
    // The other replica hears of it by NOTIFY (or its next poll), well before its next few requests matter.
    await expectEventually(async () => decodeProtectedHeader(await issue(second)).kid === newKid);
    for (const harness of [first, second]) {
      expect(await kids(harness)).toEqual(expect.arrayContaining([oldKid, newKid]));
    }

    const introspected = await second.request('POST', '/oauth2/introspect', { token: before }, ['admin']);
    expect(introspected.body).toMatchObject({ active: true, sub: agentId });
    const fresh = await first.request('POST', '/oauth2/introspect', { token: await issue(first) }, ['introspect']);
    expect(fresh.body).toMatchObject({ active: true });

    const [audit] = await withTestDatabase(
      async (c) =>
        (await c.query(`SELECT "action", "actor" FROM "provisioner"."audit_log" WHERE "subject_type" = 'signing-key' AND "subject_id" = $1`, [newKid])).rows,
    );
    expect(audit).toEqual({ action: 'signing-key.created', actor: 'test-admin' });
  });

  it('keeps the private keys encrypted in the database', async () => {
    const rows = await withTestDatabase(async (c) => (await c.query(`SELECT "private_key_encrypted", "public_jwk" FROM "provisioner"."signing_keys"`)).rows);

    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.private_key_encrypted).toMatch(/^v1\./);
      expect(row.private_key_encrypted).not.toContain('"d"');
      expect(row.public_jwk.d).toBeUndefined();
    }
  });

  it('revokes a compromised key in an emergency: its tokens are inactive at once on every replica, even ones checked a moment ago', async () => {
    const token = await issue(first);
    const compromised = decodeProtectedHeader(token).kid!;
    for (const harness of [first, second]) {
      expect((await harness.request('POST', '/oauth2/introspect', { token }, ['introspect'])).body).toMatchObject({ active: true });
    }

    expect((await first.request('POST', `/oauth2/keys/${compromised}/revoke`, {})).status).toBe(400);
    expect((await first.request('POST', '/oauth2/keys/no-such-key/revoke', { reason: 'x' })).status).toBe(404);
    expect((await first.request('POST', `/oauth2/keys/${compromised}/revoke`, { reason: 'x' }, ['soc-analyst'])).status).toBe(403);
    const revoked = await first.request('POST', `/oauth2/keys/${compromised}/revoke`, { reason: 'private key found in a public repository' });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ revoked: compromised, activeKid: expect.any(String) });
    expect(revoked.body.activeKid).not.toBe(compromised);

    expect((await first.request('POST', '/oauth2/introspect', { token }, ['introspect'])).body).toEqual({ active: false });
    await expectEventually(async () => (await second.request('POST', '/oauth2/introspect', { token }, ['introspect'])).body.active === false);
    for (const harness of [first, second]) expect(await kids(harness)).not.toContain(compromised);
    // New tokens are signed with the new key and work.
    const fresh = await issue(first);
    expect(decodeProtectedHeader(fresh).kid).toBe(revoked.body.activeKid);
    expect((await first.request('POST', '/oauth2/introspect', { token: fresh }, ['introspect'])).body).toMatchObject({ active: true });
    const audit = await withTestDatabase(
      async (c) =>
        (await c.query(`SELECT "action", "reason" FROM "provisioner"."audit_log" WHERE "subject_type" = 'signing-key' AND "subject_id" = $1`, [compromised]))
          .rows,
    );
    expect(audit).toContainEqual({ action: 'signing-key.revoked', reason: 'private key found in a public repository' });
  });

  it('lets only admins rotate', async () => {
    expect((await first.request('POST', '/oauth2/keys/rotate', undefined, ['soc-analyst'])).status).toBe(403);
  });
});

async function expectEventually(probe: () => Promise<boolean>, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`not true within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
