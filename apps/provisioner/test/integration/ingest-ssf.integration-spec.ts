import { generateKeyPairSync, KeyObject, randomUUID } from 'node:crypto';

import { CompactSign } from 'jose';

import { withTestDatabase } from '@agentgov/test-support';

import { lifecycleEvents, realWorld, reportedKinds } from '../fixtures/lifecycle-events';
import { ProvisionerHarness } from '../support/provisioner-harness';

// The published SETs as if issued now: their own iat is years old, past the receiver's maximum SET age.
const ACCOUNT_DISABLED = { ...realWorld('ssf/risc.account-disabled.phone-subject.json'), iat: Math.floor(Date.now() / 1000) };
const CREDENTIAL_CHANGE = { ...realWorld('ssf/caep.credential-change.json'), iat: Math.floor(Date.now() / 1000) };
const transmitter = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const attacker = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const harness = new ProvisionerHarness({
  SSF_TRANSMITTER_PUBLIC_KEY: transmitter.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  SSF_TRANSMITTER_ISSUER: ACCOUNT_DISABLED.iss,
  SSF_AUDIENCE: `https://receiver.example.com/,${ACCOUNT_DISABLED.aud}`,
});
const PHONE = '+12065550123';

function sign(payload: unknown, key: KeyObject = transmitter.privateKey): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload))).setProtectedHeader({ alg: 'ES256', typ: 'secevent+jwt' }).sign(key);
}

async function push(body: string, contentType = 'application/secevent+jwt') {
  const response = await fetch(`${harness.url}/ssf/events`, { method: 'POST', headers: { 'content-type': contentType, accept: 'application/json' }, body });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

let phoneOwner: string;

beforeAll(async () => {
  // The published SET names a fixed phone number; owners of earlier runs must not make it ambiguous.
  await withTestDatabase((c) => c.query(`UPDATE "provisioner"."owners" SET "phone" = NULL WHERE "phone" = $1`, [PHONE]));
  await harness.start();
  phoneOwner = (await harness.request('POST', '/owners', { displayName: 'Phone owner', phone: '+1 206-555-0123' }, ['ingest'])).body.id;
});
afterAll(() => harness.stop());

describe('Shared Signals push receiver', () => {
  it('refuses forged, misaddressed, malformed and wrongly typed SETs with RFC 8935 errors, reporting nothing', async () => {
    expect(await push(await sign(ACCOUNT_DISABLED, attacker.privateKey))).toEqual({
      status: 400,
      body: { err: 'authentication_failed', description: expect.any(String) },
    });
    expect(await push(await sign({ ...ACCOUNT_DISABLED, iss: 'https://evil.example.com/' }))).toMatchObject({ status: 400, body: { err: 'invalid_issuer' } });
    expect(await push(await sign({ ...ACCOUNT_DISABLED, aud: 'https://someone-else.example.com/' }))).toMatchObject({
      status: 400,
      body: { err: 'invalid_audience' },
    });
    expect(await push(JSON.stringify({ set: await sign(ACCOUNT_DISABLED) }), 'application/json')).toMatchObject({
      status: 400,
      body: { err: 'invalid_request' },
    });
    // A non-JSON body labelled JSON is refused earlier, by the runtime's JSON parser (problem details).
    expect(await push(await sign(ACCOUNT_DISABLED), 'application/json')).toMatchObject({ status: 400 });
    expect(await push(await sign(ACCOUNT_DISABLED), 'text/plain')).toMatchObject({ status: 400, body: { err: 'invalid_request' } });
    expect(await push('not.a.set')).toMatchObject({ status: 400, body: { err: 'invalid_request' } });
    expect(await push('')).toMatchObject({ status: 400, body: { err: 'invalid_request' } });
    expect(await push(await sign({ ...ACCOUNT_DISABLED, events: { 'https://example.com/fired': {} } }))).toMatchObject({
      status: 400,
      body: { err: 'invalid_request' },
    });
    expect(await push(await sign({ ...ACCOUNT_DISABLED, sub_id: { format: 'phone_number' } }))).toMatchObject({
      status: 400,
      body: { err: 'invalid_request' },
    });

    expect(await reportedKinds(phoneOwner)).toEqual([]);
  });

  it('turns the published RISC account-disabled (phone subject) into owner.suspended once, however often it is pushed', async () => {
    const token = await sign(ACCOUNT_DISABLED);

    expect(await push(token)).toEqual({ status: 202, body: undefined });
    expect(await push(token)).toEqual({ status: 202, body: undefined });

    // The whole topic: none of the refused SETs produced anything either.
    const events = await lifecycleEvents(harness, 1);
    expect(events).toEqual([
      {
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        key: phoneOwner,
        type: expect.any(String),
        data: {
          kind: 'owner.suspended',
          ownerId: phoneOwner,
          source: 'ssf',
          occurredAt: new Date(ACCOUNT_DISABLED.iat * 1000).toISOString(),
          reason: 'RISC account-disabled: hijacking',
        },
      },
    ]);
  });

  it('accepts SETs about unknown subjects and credential enrolments without reporting anything', async () => {
    const { body: owner } = await harness.request('POST', '/owners', {
      email: `jane.${randomUUID()}@example.com`,
      identities: [{ source: ACCOUNT_DISABLED.iss, externalId: `sub-${randomUUID()}` }],
    });
    const enrolment = {
      ...CREDENTIAL_CHANGE,
      iss: ACCOUNT_DISABLED.iss,
      aud: ACCOUNT_DISABLED.aud,
      jti: randomUUID(),
      sub_id: { format: 'iss_sub', iss: ACCOUNT_DISABLED.iss, sub: owner.identities[0].externalId },
    };
    const stranger = { ...ACCOUNT_DISABLED, jti: randomUUID(), sub_id: { format: 'email', email: `nobody-${randomUUID()}@example.com` } };

    expect(await push(await sign(enrolment))).toMatchObject({ status: 202 });
    expect(await push(await sign(stranger))).toMatchObject({ status: 202 });
    expect(await reportedKinds(owner.id)).toEqual([]);
  });

  it('terminates on account-purged for an aliases subject, matching the email alias case-insensitively, at event_timestamp', async () => {
    const email = `purged.${randomUUID()}@example.com`;
    const { body: owner } = await harness.request('POST', '/owners', { email });
    const purged = {
      iss: ACCOUNT_DISABLED.iss,
      aud: ['https://receiver.example.com/'],
      jti: randomUUID(),
      iat: Math.floor(Date.now() / 1000),
      sub_id: {
        format: 'aliases',
        identifiers: [
          { format: 'opaque', id: `unknown-${randomUUID()}` },
          { format: 'email', email: email.toUpperCase() },
        ],
      },
      events: { 'https://schemas.openid.net/secevent/risc/event-type/account-purged': { event_timestamp: 1735689600 } },
    };

    expect(await push(await sign(purged))).toMatchObject({ status: 202 });
    const events = (await lifecycleEvents(harness, 2)).filter((e) => e.key === owner.id);
    expect(events.map((e) => e.data)).toEqual([
      { kind: 'owner.terminated', ownerId: owner.id, source: 'ssf', occurredAt: '2025-01-01T00:00:00.000Z', reason: 'RISC account-purged' },
    ]);
  });
});
