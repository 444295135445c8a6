import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { decodeProtectedHeader } from 'jose';

import { ServiceHarness } from '@agentgov/service-testing';
import { freePort, waitFor, withTestDatabase } from '@agentgov/test-support';

import { announceAgents, knownToContainment } from '../support/containment-stack';

/**
 * Both sides of Shared Signals as real peers: the provisioner, configured as a poll receiver (RFC 8936) of a stream
 * it holds at containment's transmitter, polls containment's poll endpoint with the receiver's token, verifies every
 * SET with containment's JWKS, issuer and its own audience, and acknowledges them: the verification SET and a
 * containment's session-revoked and credential-change. Containment's SETs name agents, not owners, so they change
 * no owner (the provisioner's policy ignores them by default); what this proves is that the two implementations
 * understand each other, down to every SET acknowledged and none refused. Containment signs with an RSA key here
 * (RS256, what the CAEP Interoperability Profile 1.0 §2.6 asks of every event).
 */
describe('the provisioner polls containment’s Shared Signals stream', () => {
  const receiver = `provisioner-${randomUUID()}`;
  let containment: ServiceHarness;
  let provisioner: ServiceHarness;
  let issuer: string;
  let streamId: string;
  let verificationHeader: Record<string, unknown>;
  const keyFile = join(tmpdir(), `ssf-rsa-${randomUUID()}.json`);

  beforeAll(async () => {
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    writeFileSync(keyFile, JSON.stringify({ ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }), kid: 'rsa-ssf-1' }));
    containment = new ServiceHarness('containment', { env: { HTTP_PORT: String(port), SSF_ISSUER: issuer, SSF_SIGNING_KEY_FILE: keyFile } });
    await containment.start();
    const created = await containment.request('POST', '/ssf/streams', { description: 'agentgov provisioner' }, ['ssf-receiver'], receiver);
    expect(created.status).toBe(201);
    streamId = created.body.stream_id;
    expect((await containment.request('POST', '/ssf/verify', { stream_id: streamId, state: 'hello' }, ['ssf-receiver'], receiver)).status).toBe(204);
    // A look at the verification SET before the provisioner takes it (a poll without ack leaves it there).
    const peek = await containment.request('POST', `/ssf/poll/${streamId}`, { returnImmediately: true }, ['ssf-receiver'], receiver);
    verificationHeader = decodeProtectedHeader(Object.values(peek.body.sets as Record<string, string>)[0]!);
    provisioner = new ServiceHarness('provisioner', {
      env: {
        SSF_TRANSMITTER_JWKS_URL: `${issuer}/.well-known/ssf-jwks.json`,
        SSF_TRANSMITTER_ISSUER: issuer,
        SSF_AUDIENCE: receiver,
        SSF_POLL_URL: created.body.delivery.endpoint_url,
        SSF_POLL_TOKEN: await containment.token(['ssf-receiver'], receiver),
        SSF_POLL_INTERVAL_MS: '200',
      },
    });
    await provisioner.start();
  }, 90000);

  afterAll(async () => {
    await provisioner?.stop();
    await containment?.stop();
    rmSync(keyFile, { force: true });
  });

  const events = async () =>
    (
      await withTestDatabase((c) =>
        c.query(`SELECT "status", "event"->>'kind' AS "kind", "event"->>'event' AS "event" FROM "containment"."ssf_stream_events" WHERE "stream_id" = $1`, [
          streamId,
        ]),
      )
    ).rows as Array<{ status: string; kind: string; event: string | null }>;

  it('acknowledges the verification SET and a containment’s SETs, refusing none', async () => {
    const jwks = (await (await fetch(`${issuer}/.well-known/ssf-jwks.json`)).json()) as { keys: Array<Record<string, unknown>> };
    expect(jwks.keys).toEqual([expect.objectContaining({ kty: 'RSA', alg: 'RS256', kid: 'rsa-ssf-1' })]);
    expect(jwks.keys[0]).not.toHaveProperty('d');
    expect(verificationHeader).toEqual({ alg: 'RS256', typ: 'secevent+jwt', kid: 'rsa-ssf-1' });
    await waitFor(events, (rows) => rows.length === 0, { timeoutMs: 40000, what: 'the verification SET polled and acknowledged' });

    const agentId = randomUUID();
    await announceAgents(containment, [{ agentId, ownerId: 'owner-peer', riskTier: 'high' }]);
    await knownToContainment([agentId]);
    expect((await containment.request('POST', `/agents/${agentId}/logout`, { reason: 'peer test' }, ['soc-analyst'])).status).toBe(202);
    const queued = await events();
    // Queued with the action (unless the provisioner was quicker still): both CAEP events of it.
    expect(queued.every((e) => e.kind === 'caep' && e.status === 'pending')).toBe(true);
    await waitFor(events, (rows) => rows.length === 0, { timeoutMs: 40000, what: 'the containment SETs polled and acknowledged' });

    // Applied by the provisioner (verified, then mapped: these change no owner), once each, none refused.
    const metrics = await (await fetch(`${provisioner.url}/metrics`)).text();
    const polled = (outcome: string) =>
      Number(new RegExp(`^provisioner_ssf_polled_sets_total\\{[^}]*outcome="${outcome}"[^}]*\\} (\\d+)`, 'm').exec(metrics)?.[1] ?? 0);
    expect(polled('applied')).toBe(3);
    // (A passing failure, such as the JWKS fetch timing out on a loaded machine, is retried: allowed, and not counted as applied.)
    expect(polled('refused')).toBe(0);
    // Acknowledged, not refused (a refused SET would stay, marked refused), and the stream still enabled.
    const status = await containment.request('GET', `/ssf/status?stream_id=${streamId}`, undefined, ['ssf-receiver'], receiver);
    expect(status.body).toEqual({ stream_id: streamId, status: 'enabled' });
  }, 120000);
});
