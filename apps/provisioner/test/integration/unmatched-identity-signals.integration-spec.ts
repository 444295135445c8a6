import { generateKeyPairSync, randomUUID } from 'node:crypto';

import { CompactSign } from 'jose';

import { waitFor, withTestDatabase } from '@agentgov/test-support';

import { realWorld, reportedKinds } from '../fixtures/lifecycle-events';
import { ProvisionerHarness } from '../support/provisioner-harness';

const ISSUER = 'https://idp.example.com/';
const AUDIENCE = 'https://receiver.example.com/';
const OKTA_SECRET = `okta-hook-${randomUUID()}`;
const transmitter = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const harness = new ProvisionerHarness({
  SSF_TRANSMITTER_PUBLIC_KEY: transmitter.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  SSF_TRANSMITTER_ISSUER: ISSUER,
  SSF_AUDIENCE: AUDIENCE,
  OKTA_EVENT_HOOK_SECRET: OKTA_SECRET,
  OKTA_EVENT_HOOK_HEADER: 'X-Hook-Secret',
});
const OKTA_DEACTIVATE = realWorld('okta/system-log.user.lifecycle.deactivate.json');
const OKTA_ENVELOPE = realWorld('okta/event-hook-envelope.user.session.start.json');

/** A RISC account-purged SET about `subject`, signed by the configured transmitter. */
async function purge(subject: unknown, jti: string = randomUUID()): Promise<number> {
  const set = {
    iss: ISSUER,
    aud: AUDIENCE,
    jti,
    iat: Math.floor(Date.now() / 1000),
    sub_id: subject,
    events: { 'https://schemas.openid.net/secevent/risc/event-type/account-purged': {} },
  };
  const token = await new CompactSign(new TextEncoder().encode(JSON.stringify(set)))
    .setProtectedHeader({ alg: 'ES256', typ: 'secevent+jwt' })
    .sign(transmitter.privateKey);
  const response = await fetch(`${harness.url}/ssf/events`, { method: 'POST', headers: { 'content-type': 'application/secevent+jwt' }, body: token });
  return response.status;
}

/** An Okta Event Hook delivery deactivating the Okta user `oktaUserId` whose login is `email`. */
async function oktaDeactivate(oktaUserId: string, email: string): Promise<number> {
  const event = {
    ...OKTA_DEACTIVATE,
    uuid: randomUUID(),
    published: new Date().toISOString(),
    target: [{ ...OKTA_DEACTIVATE.target[0], id: oktaUserId, alternateId: email }],
  };
  const response = await fetch(`${harness.url}/hooks/okta`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hook-secret': OKTA_SECRET },
    body: JSON.stringify({ ...OKTA_ENVELOPE, eventId: randomUUID(), data: { events: [event] } }),
  });
  return response.status;
}

async function pendingAbout(text: string): Promise<any[]> {
  const { body } = await harness.request('GET', '/identity-signals?status=pending&limit=500', undefined, ['soc-analyst']);
  return body.items.filter((s: any) => JSON.stringify(s.candidates).includes(text));
}

async function metric(name: string, labels: string): Promise<number> {
  const { body } = await harness.request('GET', '/metrics');
  const line = String(body)
    .split('\n')
    .find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

beforeAll(() => harness.start());
afterAll(() => harness.stop());

describe('identity signals that match no owner are kept, listed and applied when they come to match one', () => {
  it('an account-purged that arrives before the link still offboards: applied when the link is made, and the agent is deprovisioned', async () => {
    const sub = `user-${randomUUID()}`;
    const { body: owner } = await harness.request('POST', '/owners', { email: `late.link.${randomUUID()}@example.com` });
    const { body: agent } = await harness.request('POST', '/agents', {
      name: 'crm sync',
      ownerId: owner.id,
      purpose: 'crm-sync',
      platform: 'langgraph',
      riskTier: 'medium',
      scopes: [],
    });

    expect(await purge({ format: 'iss_sub', iss: ISSUER, sub })).toBe(202);
    // Redelivered: one kept signal, not two.
    const [kept, ...more] = await waitFor(
      () => pendingAbout(sub),
      (s) => s.length > 0,
      { what: 'the kept signal' },
    );
    expect(more).toEqual([]);
    expect(kept).toMatchObject({ source: 'ssf', kind: 'owner.terminated', outcome: 'unmatched', status: 'pending', expired: false });
    expect(await reportedKinds(owner.id)).toEqual([]);
    expect(await metric('identity_signals_unmatched_total', 'outcome="unmatched"')).toBeGreaterThanOrEqual(1);

    const linked = await harness.request('PUT', `/owners/${owner.id}/identities`, { identities: [{ source: ISSUER, externalId: sub }] }, ['link-identities']);
    expect(linked.status).toBe(200);

    expect(await reportedKinds(owner.id)).toEqual(['owner.terminated']);
    const { body: applied } = await harness.request('GET', `/identity-signals/${kept.id}`, undefined, ['soc-analyst']);
    expect(applied).toMatchObject({ status: 'applied', resolvedOwnerId: owner.id, resolvedEventId: expect.any(String) });
    await waitFor(
      () => harness.request('GET', `/agents/${agent.id}`, undefined, ['soc-analyst']),
      (r) => r.body.status === 'deprovisioned',
      { what: 'the cascade deprovisioning the agent' },
    );
    const audit = await withTestDatabase(
      async (c) =>
        (
          await c.query(`SELECT "action" FROM "provisioner"."audit_log" WHERE "subject_type" = 'identity-signal' AND "subject_id" = $1 ORDER BY "seq"`, [
            kept.id,
          ])
        ).rows,
    );
    expect(audit.map((r) => r.action)).toEqual(['identity-signal.unmatched', 'identity-signal.applied']);
  });

  it('a signal about a person registered later applies when the owner is created with that email', async () => {
    const email = `registered.later.${randomUUID()}@example.com`;
    expect(await purge({ format: 'email', email: email.toUpperCase() })).toBe(202);
    await waitFor(
      () => pendingAbout(email.toUpperCase()),
      (s) => s.length === 1,
      { what: 'the kept signal' },
    );

    const { body: owner } = await harness.request('POST', '/owners', { email });

    expect(await reportedKinds(owner.id)).toEqual(['owner.terminated']);
    expect(await pendingAbout(email.toUpperCase())).toEqual([]);
  });

  it('an email that names two owners offboards neither; an admin names the right one, and a dismissed signal cannot be applied', async () => {
    const email = `shared.${randomUUID()}@example.com`;
    const first = (await harness.request('POST', '/owners', { email })).body;
    const second = (await harness.request('POST', '/owners', { email: email.toUpperCase() })).body;
    const oktaUser = `00u${randomUUID().replace(/-/g, '').slice(0, 17)}`;

    expect(await oktaDeactivate(oktaUser, email)).toBe(200);

    const [kept] = await waitFor(
      () => pendingAbout(oktaUser),
      (s) => s.length === 1,
      { what: 'the kept signal' },
    );
    expect(kept).toMatchObject({ source: 'okta', kind: 'owner.terminated', outcome: 'ambiguous' });
    expect([...kept.candidateOwnerIds].sort()).toEqual([first.id, second.id].sort());
    expect(await reportedKinds(first.id)).toEqual([]);
    expect(await reportedKinds(second.id)).toEqual([]);

    // Analysts see it; only an admin decides.
    expect((await harness.request('POST', `/identity-signals/${kept.id}/resolve`, { ownerId: second.id, reason: 'HR confirms' }, ['soc-analyst'])).status).toBe(
      403,
    );
    const resolved = await harness.request('POST', `/identity-signals/${kept.id}/resolve`, { ownerId: second.id, reason: 'HR confirms the leaver' }, ['admin']);
    expect(resolved).toMatchObject({ status: 200, body: { status: 'applied', resolvedOwnerId: second.id, resolutionNote: 'HR confirms the leaver' } });
    expect(await reportedKinds(second.id)).toEqual(['owner.terminated']);
    expect(await reportedKinds(first.id)).toEqual([]);

    const stray = `00u${randomUUID().replace(/-/g, '').slice(0, 17)}`;
    expect(await oktaDeactivate(stray, `nobody.${randomUUID()}@example.com`)).toBe(200);
    const [other] = await waitFor(
      () => pendingAbout(stray),
      (s) => s.length === 1,
      { what: 'the second kept signal' },
    );
    expect((await harness.request('POST', `/identity-signals/${other.id}/dismiss`, { reason: 'a test account' }, ['admin'])).body).toMatchObject({
      status: 'dismissed',
    });
    expect(await harness.request('POST', `/identity-signals/${other.id}/resolve`, { ownerId: first.id, reason: 'x' }, ['admin'])).toMatchObject({
      status: 409,
      body: { code: 'IDENTITY_SIGNAL_RESOLVED' },
    });
  });

  it('a signal older than the retention is not applied on its own: a rehire under the same email keeps access', async () => {
    const email = `rehire.${randomUUID()}@example.com`;
    expect(await purge({ format: 'email', email })).toBe(202);
    const [kept] = await waitFor(
      () => pendingAbout(email),
      (s) => s.length === 1,
      { what: 'the kept signal' },
    );
    await withTestDatabase((c) =>
      c.query(`UPDATE "provisioner"."unmatched_identity_signals" SET "received_at" = now() - interval '31 days' WHERE "id" = $1`, [kept.id]),
    );

    const { body: rehire } = await harness.request('POST', '/owners', { email });

    expect(await reportedKinds(rehire.id)).toEqual([]);
    expect((await harness.request('GET', `/identity-signals/${kept.id}`, undefined, ['admin'])).body).toMatchObject({ status: 'pending', expired: true });
  });
});
