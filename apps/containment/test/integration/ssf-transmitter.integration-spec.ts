import { randomUUID } from 'node:crypto';

import { compactVerify, createRemoteJWKSet, decodeJwt, decodeProtectedHeader, JWTPayload } from 'jose';

import { RecordingReceiver, ServiceHarness } from '@agentgov/service-testing';
import { freePort, waitFor, withTestDatabase } from '@agentgov/test-support';

import { announceAgents, knownToContainment } from '../support/containment-stack';

const PUSH = 'urn:ietf:rfc:8935';
const POLL = 'urn:ietf:rfc:8936';
const SESSION_REVOKED = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';
const CREDENTIAL_CHANGE = 'https://schemas.openid.net/secevent/caep/event-type/credential-change';
const VERIFICATION = 'https://schemas.openid.net/secevent/ssf/event-type/verification';
const PUSH_SECRET = `Bearer push-secret-${randomUUID()}`;

/**
 * Containment as a managed Shared Signals transmitter (OpenID SSF 1.0), as a real process on the real broker and
 * database, and receivers as real HTTP peers: one receiver creates a push stream and a poll stream with its own token,
 * verifies both, hears of a containment on both (push to its endpoint with its Authorization header; poll with
 * acknowledgement, after which the SETs are gone), pauses its push stream (events held) and resumes it (delivered);
 * another receiver can neither see nor change any of it.
 */
describe('containment as a Shared Signals transmitter: streams managed by their receivers, SETs by push and by poll', () => {
  const receiverEndpoint = new RecordingReceiver(() => ({ status: 202 }));
  let containment: ServiceHarness;
  let issuer: string;
  let jwks: ReturnType<typeof createRemoteJWKSet>;
  const receiverA = `receiver-a-${randomUUID()}`;
  const receiverB = `receiver-b-${randomUUID()}`;
  let pushStream: Record<string, any>;
  let pollStream: Record<string, any>;

  beforeAll(async () => {
    await receiverEndpoint.start();
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    containment = new ServiceHarness('containment', { env: { HTTP_PORT: String(port), SSF_ISSUER: issuer, DELIVERY_RETRY_BASE_MS: '100' } });
    await containment.start();
    jwks = createRemoteJWKSet(new URL(`${issuer}/.well-known/ssf-jwks.json`));
  }, 60000);

  afterAll(async () => {
    await containment?.stop();
    await receiverEndpoint.stop();
  });

  const as = (receiver: string) => ({
    call: (method: string, path: string, body?: unknown) => containment.request(method, path, body, ['ssf-receiver'], receiver),
  });
  const a = as(receiverA);
  const b = as(receiverB);

  /** Verifies a SET as any receiver would: the transmitter's JWKS, explicit typing, issuer, audience. */
  async function verified(set: string, audience: string): Promise<JWTPayload> {
    expect(decodeProtectedHeader(set).typ).toBe('secevent+jwt');
    const { payload } = await compactVerify(set, jwks);
    const claims = JSON.parse(new TextDecoder().decode(payload)) as JWTPayload;
    expect(claims).toMatchObject({ iss: issuer, aud: audience });
    expect(claims).not.toHaveProperty('sub');
    expect(claims).not.toHaveProperty('exp');
    return claims;
  }
  const pushedTo = (streamId: string) => receiverEndpoint.requests.filter((r) => r.path === `/events/${streamId}`);
  const poll = (streamId: string, body: unknown, who = a) => who.call('POST', `/ssf/poll/${streamId}`, body);

  it('publishes its transmitter metadata (SSF 1.0 §7, CAEP interoperability profile §2.3) and its keys', async () => {
    const response = await fetch(`${issuer}/.well-known/ssf-configuration`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({
      spec_version: '1_0',
      issuer,
      jwks_uri: `${issuer}/.well-known/ssf-jwks.json`,
      delivery_methods_supported: [PUSH, POLL],
      configuration_endpoint: `${issuer}/ssf/streams`,
      status_endpoint: `${issuer}/ssf/status`,
      verification_endpoint: `${issuer}/ssf/verify`,
      authorization_schemes: [{ spec_urn: 'urn:ietf:rfc:6749' }],
      default_subjects: 'ALL',
    });
  });

  it('lets a receiver create a push stream and a poll stream with its own token, and nobody else manage them', async () => {
    const created = await a.call('POST', '/ssf/streams', {
      delivery: { method: PUSH, endpoint_url: `${receiverEndpoint.url}/events/pending`, authorization_header: PUSH_SECRET },
      events_requested: [SESSION_REVOKED, 'urn:example:not-an-event-we-send'],
      description: 'push stream of receiver A',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      iss: issuer,
      aud: receiverA,
      delivery: { method: PUSH },
      events_supported: [SESSION_REVOKED, CREDENTIAL_CHANGE],
      events_delivered: [SESSION_REVOKED],
      description: 'push stream of receiver A',
    });
    expect(JSON.stringify(created.body)).not.toContain(PUSH_SECRET);
    // Each stream its own endpoint: the receiver points it at a path with the stream id (PATCH keeps the header).
    const patched = await a.call('PATCH', '/ssf/streams', {
      stream_id: created.body.stream_id,
      delivery: { method: PUSH, endpoint_url: `${receiverEndpoint.url}/events/${created.body.stream_id}`, authorization_header: PUSH_SECRET },
    });
    expect(patched.status).toBe(200);
    pushStream = patched.body;
    expect(pushStream.delivery.endpoint_url).toBe(`${receiverEndpoint.url}/events/${pushStream.stream_id}`);

    const polled = await a.call('POST', '/ssf/streams', {});
    expect(polled.status).toBe(201);
    pollStream = polled.body;
    expect(pollStream).toMatchObject({
      delivery: { method: POLL, endpoint_url: `${issuer}/ssf/poll/${pollStream.stream_id}` },
      events_delivered: [SESSION_REVOKED, CREDENTIAL_CHANGE],
    });

    const listed = await a.call('GET', '/ssf/streams');
    expect(listed.status).toBe(200);
    expect(listed.body.map((s: { stream_id: string }) => s.stream_id).sort()).toEqual([pushStream.stream_id, pollStream.stream_id].sort());
    expect((await a.call('GET', `/ssf/streams?stream_id=${pollStream.stream_id}`)).body).toEqual(pollStream);

    // Receiver B: the streams of A do not exist for it, whatever it tries (SSF 1.0 §8.1: 404).
    const other = { stream_id: pushStream.stream_id };
    expect((await b.call('GET', '/ssf/streams')).body).toEqual([]);
    expect((await b.call('GET', `/ssf/streams?stream_id=${pushStream.stream_id}`)).status).toBe(404);
    expect((await b.call('PATCH', '/ssf/streams', { ...other, description: 'mine now' })).status).toBe(404);
    expect((await b.call('PUT', '/ssf/streams', { ...other, delivery: { method: PUSH, endpoint_url: 'http://127.0.0.1:9/steal' } })).status).toBe(404);
    expect((await b.call('DELETE', `/ssf/streams?stream_id=${pushStream.stream_id}`)).status).toBe(404);
    expect((await b.call('GET', `/ssf/status?stream_id=${pushStream.stream_id}`)).status).toBe(404);
    expect((await b.call('POST', '/ssf/status', { ...other, status: 'disabled' })).status).toBe(404);
    expect((await b.call('POST', '/ssf/verify', other)).status).toBe(404);
    expect((await poll(pollStream.stream_id, { returnImmediately: true }, b)).status).toBe(404);
    // Nor does any role but ssf-receiver reach the API, an admin included.
    expect((await containment.request('GET', '/ssf/streams', undefined, ['admin'])).status).toBe(403);
    expect((await a.call('GET', `/ssf/streams?stream_id=${pushStream.stream_id}`)).body).toEqual(pushStream);
    expect((await a.call('GET', `/ssf/status?stream_id=${pushStream.stream_id}`)).body).toEqual({ stream_id: pushStream.stream_id, status: 'enabled' });
    // Transmitter-Supplied properties are not the receiver's to change.
    expect((await a.call('PATCH', '/ssf/streams', { ...other, iss: 'https://evil.example' })).status).toBe(400);
  });

  it('sends a verification SET with the receiver’s state on each stream it asks (SSF 1.0 §8.1.4), no more often than min_verification_interval', async () => {
    const state = randomUUID();
    expect((await a.call('POST', '/ssf/verify', { stream_id: pushStream.stream_id, state })).status).toBe(204);
    expect((await a.call('POST', '/ssf/verify', { stream_id: pushStream.stream_id, state })).status).toBe(429);
    const [pushed] = await waitFor(
      async () => pushedTo(pushStream.stream_id),
      (r) => r.length === 1,
      { what: 'the verification SET pushed' },
    );
    expect(pushed.headers['content-type']).toBe('application/secevent+jwt');
    expect(pushed.headers['authorization']).toBe(PUSH_SECRET);
    expect(await verified(pushed.body, receiverA)).toMatchObject({
      sub_id: { format: 'opaque', id: pushStream.stream_id },
      events: { [VERIFICATION]: { state } },
    });

    const pollState = randomUUID();
    expect((await a.call('POST', '/ssf/verify', { stream_id: pollStream.stream_id, state: pollState })).status).toBe(204);
    const first = await poll(pollStream.stream_id, { returnImmediately: true });
    expect(first.status).toBe(200);
    const [[jti, set]] = Object.entries(first.body.sets as Record<string, string>);
    expect(first.body.moreAvailable).toBe(false);
    const claims = await verified(set, receiverA);
    expect(claims).toMatchObject({ jti, sub_id: { format: 'opaque', id: pollStream.stream_id }, events: { [VERIFICATION]: { state: pollState } } });
    // Not acknowledged: it comes again, the same SET by its jti. Acknowledged: gone (RFC 8936 §2.4).
    expect(Object.keys((await poll(pollStream.stream_id, { returnImmediately: true })).body.sets)).toEqual([jti]);
    expect((await poll(pollStream.stream_id, { returnImmediately: true, ack: [jti] })).body).toEqual({ sets: {}, moreAvailable: false });
  });

  it('puts a containment on every stream: pushed to the push stream, polled and acknowledged on the poll stream, then gone', async () => {
    const agentId = randomUUID();
    await announceAgents(containment, [{ agentId, ownerId: 'owner-ssf', riskTier: 'high' }]);
    await knownToContainment([agentId]);
    const logout = await containment.request(
      'POST',
      `/agents/${agentId}/logout`,
      { reason: 'exfiltration to an unknown host' },
      ['soc-analyst'],
      'analyst-ssf',
    );
    expect(logout.status).toBe(202);
    const [{ id: actionId }] = await withTestDatabase(
      async (c) => (await c.query(`SELECT "id" FROM "containment"."actions" WHERE "agent_id" = $1`, [agentId])).rows,
    );

    // Push: the stream asked for session-revoked only.
    const pushed = await waitFor(
      async () => pushedTo(pushStream.stream_id).filter((r) => JSON.stringify(decodeJwt(r.body)).includes(agentId)),
      (r) => r.length >= 1,
      { what: 'the containment pushed to the push stream' },
    );
    expect(pushed).toHaveLength(1);
    expect(pushed[0].headers['authorization']).toBe(PUSH_SECRET);
    expect(await verified(pushed[0].body, receiverA)).toMatchObject({
      txn: actionId,
      sub_id: { format: 'iss_sub', iss: issuer, sub: agentId },
      events: { [SESSION_REVOKED]: { initiating_entity: 'admin', reason_admin: { en: 'exfiltration to an unknown host' } } },
    });

    // Poll: both events, one per SET, a page at a time; acknowledged, they are gone.
    const page1 = await poll(pollStream.stream_id, { maxEvents: 1 });
    expect(page1.status).toBe(200);
    expect(page1.body.moreAvailable).toBe(true);
    const [[jti1, set1]] = Object.entries(page1.body.sets as Record<string, string>);
    const page2 = await poll(pollStream.stream_id, { maxEvents: 5, ack: [jti1] });
    expect(page2.body.moreAvailable).toBe(false);
    const [[jti2, set2]] = Object.entries(page2.body.sets as Record<string, string>);
    const events = await Promise.all([verified(set1, receiverA), verified(set2, receiverA)]);
    expect(
      events
        .map((e) => Object.keys(e.events as object))
        .flat()
        .sort(),
    ).toEqual([CREDENTIAL_CHANGE, SESSION_REVOKED]);
    for (const e of events) expect(e).toMatchObject({ txn: actionId, sub_id: { format: 'iss_sub', iss: issuer, sub: agentId } });
    expect(events.find((e) => CREDENTIAL_CHANGE in (e.events as object))!.events).toMatchObject({
      [CREDENTIAL_CHANGE]: { change_type: 'revoke', credential_type: 'password' },
    });
    expect((await poll(pollStream.stream_id, { returnImmediately: true, ack: [jti2] })).body).toEqual({ sets: {}, moreAvailable: false });
    const [{ open }] = await withTestDatabase(
      async (c) =>
        (
          await c.query(`SELECT count(*)::int AS open FROM "containment"."ssf_stream_events" WHERE "stream_id" = ANY($1)`, [
            [pushStream.stream_id, pollStream.stream_id],
          ])
        ).rows,
    );
    expect(open).toBe(0);
  });

  it('holds the events of a paused stream and delivers them once it is enabled again (SSF 1.0 §8.1.2); a disabled stream drops them', async () => {
    const paused = await a.call('POST', '/ssf/status', { stream_id: pushStream.stream_id, status: 'paused', reason: 'receiver maintenance' });
    expect(paused).toMatchObject({ status: 200, body: { stream_id: pushStream.stream_id, status: 'paused', reason: 'receiver maintenance' } });
    const agentId = randomUUID();
    await announceAgents(containment, [{ agentId, ownerId: 'owner-ssf', riskTier: 'high' }]);
    await knownToContainment([agentId]);
    expect((await containment.request('POST', `/agents/${agentId}/logout`, { reason: 'while paused' }, ['soc-analyst'])).status).toBe(202);
    const heldCount = async () =>
      (
        await withTestDatabase((c) =>
          c.query(`SELECT count(*)::int AS n FROM "containment"."ssf_stream_events" WHERE "stream_id" = $1 AND "status" = 'pending'`, [pushStream.stream_id]),
        )
      ).rows[0].n;
    await waitFor(heldCount, (n) => n === 1, { what: 'the event held by the paused stream' });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const aboutAgent = () => pushedTo(pushStream.stream_id).filter((r) => JSON.stringify(decodeJwt(r.body)).includes(agentId));
    expect(aboutAgent()).toEqual([]);

    expect((await a.call('POST', '/ssf/status', { stream_id: pushStream.stream_id, status: 'enabled' })).status).toBe(200);
    const delivered = await waitFor(
      async () => aboutAgent(),
      (r) => r.length === 1,
      { what: 'the held event delivered on resume' },
    );
    expect(await verified(delivered[0].body, receiverA)).toMatchObject({
      sub_id: { sub: agentId },
      events: { [SESSION_REVOKED]: { reason_admin: { en: 'while paused' } } },
    });
    await waitFor(heldCount, (n) => n === 0, { what: 'the delivered event gone' });

    // Disabled: what the poll stream held (this containment's two SETs, not polled yet) is dropped, nothing is returned.
    const openOnPollStream = async () =>
      (
        await withTestDatabase((c) =>
          c.query(`SELECT count(*)::int AS n FROM "containment"."ssf_stream_events" WHERE "stream_id" = $1`, [pollStream.stream_id]),
        )
      ).rows[0].n;
    expect(await openOnPollStream()).toBe(2);
    expect((await a.call('POST', '/ssf/status', { stream_id: pollStream.stream_id, status: 'disabled' })).status).toBe(200);
    expect(await openOnPollStream()).toBe(0);
    expect((await poll(pollStream.stream_id, { returnImmediately: true })).body).toEqual({ sets: {}, moreAvailable: false });
    expect((await a.call('POST', '/ssf/status', { stream_id: pollStream.stream_id, status: 'enabled' })).status).toBe(200);
    expect((await poll(pollStream.stream_id, { returnImmediately: true })).body).toEqual({ sets: {}, moreAvailable: false });
  });

  it('retries a push the receiver could not take, with the same SET (jti), and never retries a SET the receiver refused', async () => {
    const flaky = new RecordingReceiver((request, i) =>
      request.path === '/refuse'
        ? { status: 400, body: { err: 'invalid_key', description: 'unknown kid' } }
        : i < 2
          ? { status: 503, headers: { 'retry-after': '0' } }
          : { status: 202 },
    );
    await flaky.start();
    try {
      const c = as(`receiver-c-${randomUUID()}`);
      const created = await c.call('POST', '/ssf/streams', { delivery: { method: PUSH, endpoint_url: `${flaky.url}/events` } });
      expect(created.status).toBe(201);
      expect((await c.call('POST', '/ssf/verify', { stream_id: created.body.stream_id, state: 'retry' })).status).toBe(204);
      const calls = await waitFor(
        async () => flaky.requests,
        (r) => r.length === 3,
        { what: 'two failures, then the SET accepted' },
      );
      expect(new Set(calls.map((r) => decodeJwt(r.body).jti)).size).toBe(1);
      const refusing = await c.call('POST', '/ssf/streams', { delivery: { method: PUSH, endpoint_url: `${flaky.url}/refuse` } });
      expect((await c.call('POST', '/ssf/verify', { stream_id: refusing.body.stream_id })).status).toBe(204);
      const stored = await waitFor(
        async () =>
          (
            await withTestDatabase((db) =>
              db.query(`SELECT "status", "reason" FROM "containment"."ssf_stream_events" WHERE "stream_id" = $1`, [refusing.body.stream_id]),
            )
          ).rows,
        (rows) => rows[0]?.status === 'failed',
        { what: 'the refused SET failed for good' },
      );
      expect(stored).toEqual([{ status: 'failed', reason: 'receiver refused the SET: invalid_key: unknown kid' }]);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(flaky.requests.filter((r) => r.path === '/refuse')).toHaveLength(1);
    } finally {
      await flaky.stop();
    }
  });

  it('replaces and deletes a stream; a deleted stream is gone with its events', async () => {
    const replaced = await a.call('PUT', '/ssf/streams', {
      stream_id: pollStream.stream_id,
      events_requested: [CREDENTIAL_CHANGE],
      description: 'credential changes only',
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ delivery: { method: POLL }, events_delivered: [CREDENTIAL_CHANGE], description: 'credential changes only' });
    expect((await a.call('DELETE', `/ssf/streams?stream_id=${pollStream.stream_id}`)).status).toBe(204);
    expect((await a.call('GET', `/ssf/streams?stream_id=${pollStream.stream_id}`)).status).toBe(404);
    expect((await poll(pollStream.stream_id, { returnImmediately: true })).status).toBe(404);
    // The audit trail names the receiver for each change of its streams.
    const audit = await containment.request('GET', `/audit?subjectId=${pollStream.stream_id}`, undefined, ['admin']);
    expect(audit.status).toBe(200);
    expect(JSON.stringify(audit.body)).toContain('ssf.stream-deleted');
    expect(JSON.stringify(audit.body)).toContain(receiverA);
  });
});
