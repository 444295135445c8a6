import { randomUUID } from 'node:crypto';

import { withTestDatabase } from '@agentgov/test-support';

import { lifecycleEvents, realWorld, reportedKinds } from '../fixtures/lifecycle-events';
import { ProvisionerHarness } from '../support/provisioner-harness';

const SECRET = `okta-hook-${randomUUID()}`;
const harness = new ProvisionerHarness({ OKTA_EVENT_HOOK_SECRET: SECRET, OKTA_EVENT_HOOK_HEADER: 'X-Hook-Secret' });
const DEACTIVATE = realWorld('okta/system-log.user.lifecycle.deactivate.json');
const LOGIN_DELIVERY = realWorld('okta/event-hook-envelope.user.session.start.json');
const OKTA_USER = DEACTIVATE.target[0].id as string;

/** An Event Hook delivery around System Log events, as Okta posts it. */
const delivery = (...events: unknown[]) => ({ ...LOGIN_DELIVERY, eventId: randomUUID(), data: { events } });

async function post(body: unknown, headers: Record<string, string> = { 'x-hook-secret': SECRET }, contentType = 'application/json') {
  const response = await fetch(`${harness.url}/hooks/okta`, {
    method: 'POST',
    headers: { 'content-type': contentType, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json().catch(() => undefined)) as any, contentType: response.headers.get('content-type') };
}

let ownerId: string;
let suspendedOwnerId: string;

beforeAll(async () => {
  // The published fixture names a fixed Okta user; earlier runs may have linked it to their own owner.
  await withTestDatabase((c) => c.query(`DELETE FROM "provisioner"."owner_identities" WHERE "source" = 'okta' AND "external_id" = $1`, [OKTA_USER]));
  await harness.start();
  ownerId = (await harness.request('POST', '/owners', { displayName: 'John Doe', identities: [{ source: 'okta', externalId: OKTA_USER }] }, ['ingest'])).body
    .id;
  suspendedOwnerId = (await harness.request('POST', '/owners', { email: `okta-${randomUUID()}@example.com` })).body.id;
});
afterAll(() => harness.stop());

describe('Okta Event Hook', () => {
  it('answers the one-time verification only to a request that carries the secret', async () => {
    const challenge = `challenge-${randomUUID()}`;
    const verified = await fetch(`${harness.url}/hooks/okta`, { headers: { 'x-okta-verification-challenge': challenge, 'x-hook-secret': SECRET } });
    const forged = await fetch(`${harness.url}/hooks/okta`, { headers: { 'x-okta-verification-challenge': challenge, 'x-hook-secret': 'guess' } });

    expect(verified.status).toBe(200);
    expect(await verified.json()).toEqual({ verification: challenge });
    expect(forged.status).toBe(401);
    expect(JSON.stringify(await forged.json())).not.toContain(challenge);
  });

  it('refuses forged, malformed and wrongly typed deliveries without producing anything', async () => {
    const deactivation = delivery(DEACTIVATE);

    expect(await post(deactivation, { 'x-hook-secret': `${SECRET}x` })).toMatchObject({ status: 401, body: { code: 'INGEST_SENDER_NOT_AUTHENTICATED' } });
    expect(await post(deactivation, {})).toMatchObject({ status: 401 });
    expect(await post(deactivation, { authorization: SECRET })).toMatchObject({ status: 401 });
    expect(await post({ data: { events: 'all' } })).toMatchObject({ status: 400, body: { code: 'INGEST_INVALID_DELIVERY' } });
    expect(await post(delivery({ ...DEACTIVATE, uuid: undefined }))).toMatchObject({ status: 400 });
    expect(await post(delivery({ ...DEACTIVATE, published: '3000-01-01T00:00:00Z' }))).toMatchObject({ status: 400 });
    expect(await post(JSON.stringify(deactivation), undefined, 'text/plain')).toMatchObject({ status: 415 });
    expect(await post('{"data": ', undefined)).toMatchObject({ status: 400 });

    // Nothing reached the outbox (the next tests also see exactly one event on the topic).
    expect(await reportedKinds(ownerId)).toEqual([]);
  });

  it('acknowledges the published login delivery and changes nothing', async () => {
    expect(await post(LOGIN_DELIVERY)).toMatchObject({ status: 200, body: { events: 1, reported: [], ignored: 1 } });
    expect(await reportedKinds(ownerId)).toEqual([]);
  });

  it('turns the published user.lifecycle.deactivate into owner.terminated, once however often Okta delivers it', async () => {
    const first = await post(delivery(DEACTIVATE));
    const repeat = await post(delivery(DEACTIVATE));

    expect(first).toMatchObject({ status: 200, body: { reported: [expect.any(String)], duplicates: 0 } });
    expect(repeat).toMatchObject({ status: 200, body: { reported: [], duplicates: 1 } });
    // The whole topic: neither the refused deliveries nor the login produced anything.
    const events = await lifecycleEvents(harness, 1);
    expect(events).toEqual([
      {
        id: first.body.reported[0],
        key: ownerId,
        type: expect.any(String),
        data: {
          kind: 'owner.terminated',
          ownerId,
          externalId: OKTA_USER,
          source: 'okta',
          occurredAt: '2020-11-16T18:15:12.862Z',
          reason: 'Okta user.lifecycle.deactivate (Deactivate Okta User)',
        },
      },
    ]);
  });

  it('finds an owner by the alternateId email, maps suspend, and ignores users it does not know', async () => {
    const { body: owner } = await harness.request('GET', `/owners/${suspendedOwnerId}`);
    const suspend = {
      ...DEACTIVATE,
      uuid: randomUUID(),
      eventType: 'user.lifecycle.suspend',
      displayMessage: 'Suspend Okta user',
      target: [{ id: `00u${randomUUID().slice(0, 8)}`, type: 'User', alternateId: owner.email.toUpperCase() }],
    };
    const stranger = { ...DEACTIVATE, uuid: randomUUID(), target: [{ id: '00uNOBODY', type: 'User', alternateId: `nobody-${randomUUID()}@example.com` }] };

    const result = await post(delivery(suspend, stranger, LOGIN_DELIVERY.data.events[0]));

    expect(result).toMatchObject({ status: 200, body: { events: 3, reported: [expect.any(String)], unknownOwners: 1, ignored: 1 } });
    const events = (await lifecycleEvents(harness, 2)).filter((e) => e.key === suspendedOwnerId);
    expect(events.map((e) => [e.id, e.data.kind, e.data.occurredAt])).toEqual([[result.body.reported[0], 'owner.suspended', DEACTIVATE.published]]);
  });

  it('never matches by email an owner linked to another Okta user: the link, not the login, names the person', async () => {
    const email = `linked-${randomUUID()}@example.com`;
    const linkedTo = `00u${randomUUID().slice(0, 8)}`;
    const { body: owner } = await harness.request('POST', '/owners', { email, identities: [{ source: 'okta', externalId: linkedTo }] });
    // Another Okta user, given the owner's email as login, is deactivated.
    const impostor = { ...DEACTIVATE, uuid: randomUUID(), target: [{ id: `00u${randomUUID().slice(0, 8)}`, type: 'User', alternateId: email }] };
    expect(await post(delivery(impostor))).toMatchObject({ status: 200, body: { reported: [], unknownOwners: 1 } });
    // The owner's own Okta user still reaches them.
    const own = { ...DEACTIVATE, uuid: randomUUID(), target: [{ id: linkedTo, type: 'User', alternateId: email }] };
    expect(await post(delivery(own))).toMatchObject({ status: 200, body: { reported: [expect.any(String)] } });
    expect(await reportedKinds(owner.id)).toEqual(['owner.terminated']);
  });
});
