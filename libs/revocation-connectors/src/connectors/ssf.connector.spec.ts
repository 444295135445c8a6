import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';

import { RecordingReceiver } from '@agentgov/service-testing';

import { ACTION_ID, AGENT_ID, aRevocationRequest, outcomeText } from '../../test/support/revocation-request';
import { createConnectors } from '../create-connectors';
import { RevocationConnector } from '../revocation-connector';
import { generateSsfSigningKey, ssfJwks } from '../ssf/ssf-signing-key';

const ISSUER = 'https://agentgov.example';
const AUDIENCE = 'https://rp.example/caep';
const AUTHORIZATION = 'Bearer ssf-push-credential-9a8b7c6d5e4f';
const SESSION_REVOKED = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';
const CREDENTIAL_CHANGE = 'https://schemas.openid.net/secevent/caep/event-type/credential-change';
const NOW = new Date('2025-03-01T12:00:05.000Z');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const signingKey = generateSsfSigningKey();
const receiverKeys = createLocalJWKSet(ssfJwks(signingKey.publicJwk) as Parameters<typeof createLocalJWKSet>[0]);

function ssfConnector(endpoint: string, extra: Record<string, unknown> = {}): RevocationConnector {
  const config = [{ name: 'caep-rp', type: 'ssf', endpoint, audience: AUDIENCE, issuer: ISSUER, authorizationHeader: AUTHORIZATION, timeoutMs: 300, ...extra }];
  return createConnectors(config, { now: () => NOW, ssfSigningKey: signingKey })[0]!;
}

async function receivedSets(server: RecordingReceiver) {
  return Promise.all(
    server.requests.map(async (request) => {
      const { payload, protectedHeader } = await jwtVerify(request.body, receiverKeys, {
        typ: 'secevent+jwt',
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ['ES256'],
      });
      return { payload, protectedHeader, headers: request.headers };
    }),
  );
}

describe('ssf connector (CAEP over RFC 8935 push)', () => {
  let server: RecordingReceiver;
  beforeEach(async () => (server = await new RecordingReceiver(() => ({ status: 202 })).start()));
  afterEach(() => server.stop());

  it('pushes one signed SET per CAEP event, which verifies with the published JWKS', async () => {
    const request = aRevocationRequest();
    const outcome = await ssfConnector(`${server.url}/ssf/events`).revoke(request);

    expect(outcome).toEqual({ status: 'confirmed', detail: 'receiver accepted session-revoked and credential-change' });
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /ssf/events', 'POST /ssf/events']);
    // Pushed at once: they may arrive in either order.
    const sets = await receivedSets(server);
    const sessionRevoked = sets.find((set) => SESSION_REVOKED in (set.payload.events as object));
    const credentialChange = sets.find((set) => CREDENTIAL_CHANGE in (set.payload.events as object));
    for (const set of [sessionRevoked!, credentialChange!]) {
      expect(set.protectedHeader).toEqual({ alg: 'ES256', typ: 'secevent+jwt', kid: signingKey.kid });
      expect(set.headers['content-type']).toBe('application/secevent+jwt');
      expect(set.headers.accept).toBe('application/json');
      expect(set.headers.authorization).toBe(AUTHORIZATION);
      expect(set.payload).toMatchObject({ iss: ISSUER, aud: AUDIENCE, iat: NOW.getTime() / 1000, txn: ACTION_ID, sub_id: { format: 'opaque', id: AGENT_ID } });
      expect(set.payload.jti).toMatch(UUID);
    }
    const occurredAt = Date.parse(request.occurredAt) / 1000;
    expect(sessionRevoked!.payload.events).toEqual({ [SESSION_REVOKED]: { event_timestamp: occurredAt, reason_admin: { en: request.reason } } });
    expect(credentialChange!.payload.events).toEqual({
      [CREDENTIAL_CHANGE]: { event_timestamp: occurredAt, reason_admin: { en: request.reason }, credential_type: 'password', change_type: 'revoke' },
    });
    expect(sessionRevoked!.payload.jti).not.toBe(credentialChange!.payload.jti);
  });

  it('resends the same SETs with the same jti, so that the receiver recognises them', async () => {
    const connector = ssfConnector(server.url);
    await connector.revoke(aRevocationRequest());
    await connector.revoke(aRevocationRequest());
    await connector.revoke(aRevocationRequest({ deliveryId: 'another-action:caep-rp' }));
    // The two SETs of one call are pushed at once, so they may arrive in either order: compare by event type.
    const sets = await receivedSets(server);
    const jtiOf = (call: number, type: string) =>
      sets.slice(call * 2, call * 2 + 2).find((set) => Object.keys(set.payload.events as object)[0] === type)!.payload.jti;
    for (const type of [SESSION_REVOKED, CREDENTIAL_CHANGE]) expect(jtiOf(1, type)).toBe(jtiOf(0, type));
    expect(new Set([jtiOf(2, SESSION_REVOKED), jtiOf(2, CREDENTIAL_CHANGE), jtiOf(0, SESSION_REVOKED), jtiOf(0, CREDENTIAL_CHANGE)]).size).toBe(4);
  });

  it('sends only the configured events, with the configured credential type', async () => {
    await ssfConnector(server.url, { events: ['credential-change'], credentialType: 'x509' }).revoke(aRevocationRequest());
    const [set] = await receivedSets(server);
    expect(server.requests).toHaveLength(1);
    expect(set!.payload.events).toMatchObject({ [CREDENTIAL_CHANGE]: { credential_type: 'x509', change_type: 'revoke' } });
  });

  it.each(['invalid_audience', 'authentication_failed', 'access_denied'])('fails for good when the receiver rejects a SET with %s', async (err) => {
    // The receiver accepts session-revoked and rejects credential-change, whichever arrives first.
    server.answerWith((request) =>
      CREDENTIAL_CHANGE in (decodeJwt(request.body).events as object)
        ? { status: 400, body: { err, description: `rejected ${request.headers.authorization}` } }
        : { status: 202 },
    );
    const outcome = await ssfConnector(server.url).revoke(aRevocationRequest());
    expect(outcome).toEqual({ status: 'failed', reason: `ssf credential-change: SET rejected: ${err}: rejected [redacted]` });
  });

  it.each([503, 500, 429])('asks for a retry on %i, honouring Retry-After', async (status) => {
    server.answerWith(() => ({ status, headers: { 'retry-after': '5' } }));
    const outcome = await ssfConnector(server.url).revoke(aRevocationRequest());
    expect(outcome).toEqual({ status: 'retry', reason: `ssf session-revoked: HTTP ${status}`, retryAfterMs: 5000 });
    // Both SETs went at once; the retry sends both again under the same jti, which the receiver deduplicates.
    expect(server.requests).toHaveLength(2);
  });

  it('asks for a retry when the receiver does not answer in time', async () => {
    server.answerWith(() => 'hang');
    expect(await ssfConnector(server.url).revoke(aRevocationRequest())).toEqual({ status: 'retry', reason: 'ssf session-revoked: no answer within 300 ms' });
  });

  it('fails on 401 and never repeats the authorization header, even when echoed', async () => {
    server.answerWith((request) => ({ status: 401, body: `no: ${request.headers.authorization}` }));
    const outcome = await ssfConnector(server.url).revoke(aRevocationRequest());
    expect(outcome.status).toBe('failed');
    expect(outcomeText(outcome)).not.toContain(AUTHORIZATION.slice('Bearer '.length));
  });
});

describe('SSF signing key helpers', () => {
  it('publish only the public key, under the kid the SETs carry', async () => {
    const key = generateSsfSigningKey();
    const jwks = ssfJwks({ ...key.privateJwk, kid: key.kid });
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toEqual({ kty: 'EC', crv: 'P-256', x: key.publicJwk.x, y: key.publicJwk.y, kid: key.kid, use: 'sig', alg: 'ES256' });
    expect(jwks.keys[0]).not.toHaveProperty('d');
    expect(key.publicJwk).not.toHaveProperty('d');

    const connector = createConnectors([{ name: 'rp', type: 'ssf', endpoint: 'http://127.0.0.1:9', audience: 'a', issuer: 'i' }], { ssfSigningKey: key })[0]!;
    expect(connector.type).toBe('ssf');
  });

  it('derive a stable kid from the public key (RFC 7638 thumbprint)', () => {
    const key = generateSsfSigningKey();
    const { kid: _kid, ...withoutKid } = key.publicJwk;
    expect(ssfJwks(withoutKid).keys[0]!.kid).toBe(key.kid);
  });
});
