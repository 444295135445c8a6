import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';

import { RecordingReceiver } from '@agentgov/service-testing';

import { AGENT_ID, aRevocationRequest, outcomeText } from '../../test/support/revocation-request';
import { unusedLocalUrl } from '../../test/support/unused-local-url';
import { createConnectors } from '../create-connectors';
import { RevocationConnector } from '../revocation-connector';
import { NOTHING_TO_REVOKE_AT_RECEIVER, OWNER_NOT_OFFBOARDED } from './global-token-revocation.connector';

const BEARER = 'gtr-caller-token-5d4c3b2a19f8e7d6';
const CLIENT_SECRET = 'gtr-client-secret-0a9b8c7d6e5f4a3b';
const DIRECTORY_TOKEN = 'owner-directory-token-1f2e3d4c5b6a7980';
const NOW = new Date('2025-03-01T12:00:05.000Z');
const OWNER_ID = 'c3d2e1f0-1111-4222-8333-944455556666';

function gtrConnector(entry: Record<string, unknown>, now: () => Date = () => NOW): RevocationConnector {
  return createConnectors([{ name: 'crm-gtr', type: 'global-token-revocation', timeoutMs: 300, ...entry }], { now })[0]!;
}

describe('global-token-revocation connector (draft-parecki-oauth-global-token-revocation-06)', () => {
  let receiver: RecordingReceiver;
  beforeEach(async () => (receiver = await new RecordingReceiver(() => ({ status: 204 })).start()));
  afterEach(() => receiver.stop());

  const endpoint = () => `${receiver.url}/global-token-revocation`;
  const sent = (index = 0) => JSON.parse(receiver.requests[index]!.body) as Record<string, unknown>;

  describe('for the agent', () => {
    it('POSTs {"sub_id": {format: opaque, id: agentId}} as JSON with the bearer token, and confirms on 204 (§3.2, §3.4.1)', async () => {
      const outcome = await gtrConnector({ endpoint: endpoint(), bearerToken: BEARER }).revoke(aRevocationRequest());

      expect(outcome).toEqual({ status: 'confirmed', detail: 'every token of the agent revoked (204, opaque subject)' });
      expect(receiver.requests).toHaveLength(1);
      expect(receiver.requests[0]).toMatchObject({ method: 'POST', path: '/global-token-revocation' });
      expect(receiver.requests[0]!.headers).toMatchObject({ authorization: `Bearer ${BEARER}`, 'content-type': 'application/json' });
      expect(sent()).toEqual({ sub_id: { format: 'opaque', id: AGENT_ID } });
    });

    it('names the agent as iss_sub under the configured issuer', async () => {
      await gtrConnector({ endpoint: endpoint(), bearerToken: BEARER, subjectFormat: 'iss_sub', subjectIssuer: 'https://agentgov.example' }).revoke(
        aRevocationRequest(),
      );
      expect(sent()).toEqual({ sub_id: { format: 'iss_sub', iss: 'https://agentgov.example', sub: AGENT_ID } });
    });

    it('revokes on a release too: the released agent starts again from fresh tokens', async () => {
      expect((await gtrConnector({ endpoint: endpoint(), bearerToken: BEARER }).revoke(aRevocationRequest({ kind: 'release' }))).status).toBe('confirmed');
      expect(receiver.requests).toHaveLength(1);
    });
  });

  describe('answers (§3.4.2) mapped like every connector', () => {
    const connector = () => gtrConnector({ endpoint: endpoint(), bearerToken: BEARER });

    it.each([400, 401, 403, 422])('fails on %i', async (status) => {
      receiver.answerWith(() => ({ status, body: { error: 'no' } }));
      const outcome = await connector().revoke(aRevocationRequest());
      expect(outcome).toEqual({ status: 'failed', reason: `global token revocation endpoint: HTTP ${status}: {"error":"no"}` });
    });

    it('fails on 404 by default: a wrong endpoint URL answers 404 too', async () => {
      receiver.answerWith(() => ({ status: 404 }));
      expect((await connector().revoke(aRevocationRequest())).status).toBe('failed');
    });

    it('confirms a 404 as nothing to revoke where the entry says so', async () => {
      receiver.answerWith(() => ({ status: 404 }));
      const outcome = await gtrConnector({ endpoint: endpoint(), bearerToken: BEARER, notFound: 'nothing-to-revoke' }).revoke(aRevocationRequest());
      expect(outcome).toEqual({ status: 'confirmed', detail: NOTHING_TO_REVOKE_AT_RECEIVER });
    });

    it('records another 2xx as sent, not confirmed', async () => {
      receiver.answerWith(() => ({ status: 202, body: { queued: true } }));
      expect(await connector().revoke(aRevocationRequest())).toEqual({
        status: 'sent',
        detail: 'accepted without the 204 the draft defines (opaque subject): HTTP 202: {"queued":true}',
      });
    });

    it.each([429, 503])('asks for a retry on %i, honouring Retry-After', async (status) => {
      receiver.answerWith(() => ({ status, headers: { 'retry-after': '7' }, body: 'busy' }));
      expect(await connector().revoke(aRevocationRequest())).toEqual({
        status: 'retry',
        reason: `global token revocation endpoint: HTTP ${status}: busy`,
        retryAfterMs: 7000,
      });
    });

    it('asks for a retry when the endpoint cannot be reached or does not answer in time', async () => {
      expect(await gtrConnector({ endpoint: `${await unusedLocalUrl()}/gtr`, bearerToken: BEARER }).revoke(aRevocationRequest())).toEqual({
        status: 'retry',
        reason: 'global token revocation endpoint: network error (ECONNREFUSED)',
      });
      receiver.answerWith(() => 'hang');
      expect(await connector().revoke(aRevocationRequest())).toEqual({
        status: 'retry',
        reason: 'global token revocation endpoint: no answer within 300 ms',
      });
    });

    it('never follows a redirect (it would carry the bearer token somewhere nobody configured)', async () => {
      receiver.answerWith((r) => (r.path === '/global-token-revocation' ? { status: 307, headers: { location: '/elsewhere' } } : { status: 204 }));
      expect((await connector().revoke(aRevocationRequest())).status).toBe('failed');
      expect(receiver.requests.map((r) => r.path)).toEqual(['/global-token-revocation']);
    });

    it('keeps its credentials out of a reason, even when the receiver echoes them', async () => {
      receiver.answerWith((r) => ({ status: 400, body: `bad request from ${r.headers.authorization} (${BEARER})` }));
      expect(outcomeText(await connector().revoke(aRevocationRequest()))).not.toContain(BEARER);
    });

    it('reads no more than the size cap of an answer', async () => {
      const huge: Server = createServer((_req, res) => {
        res.writeHead(503, { 'content-type': 'text/plain' });
        const chunk = Buffer.alloc(64 * 1024, 0x61);
        let written = 0;
        const pump = () => {
          while (written < 32 * 1024 * 1024 && res.write(chunk)) written += chunk.length;
          if (written >= 32 * 1024 * 1024) res.end();
        };
        res.on('drain', pump);
        pump();
      });
      await new Promise<void>((resolve) => huge.listen(0, '127.0.0.1', resolve));
      try {
        const started = Date.now();
        const outcome = await gtrConnector({
          endpoint: `http://127.0.0.1:${(huge.address() as AddressInfo).port}/gtr`,
          bearerToken: BEARER,
          timeoutMs: 5000,
        }).revoke(aRevocationRequest());
        expect(outcome.status).toBe('retry');
        expect(outcomeText(outcome).length).toBeLessThan(400);
        expect(Date.now() - started).toBeLessThan(3000);
      } finally {
        huge.closeAllConnections();
        await new Promise((resolve) => huge.close(resolve));
      }
    });
  });

  describe('with client credentials instead of a static token', () => {
    const entry = (extra: Record<string, unknown> = {}) => ({
      endpoint: endpoint(),
      clientCredentials: { tokenEndpoint: `${receiver.url}/oauth/token`, clientId: 'containment', clientSecret: CLIENT_SECRET, scope: 'gtr', ...extra },
    });
    let issued = 0;
    beforeEach(() => {
      issued = 0;
      receiver.answerWith((r) =>
        r.path === '/oauth/token' ? { status: 200, body: { access_token: `at-${(issued += 1)}`, token_type: 'Bearer', expires_in: 300 } } : { status: 204 },
      );
    });

    it('obtains a token (client_secret_basic, form-encoded) and reuses it until 30 s before it expires', async () => {
      let now = NOW;
      const connector = gtrConnector(entry(), () => now);
      await connector.revoke(aRevocationRequest());
      now = new Date(NOW.getTime() + 200_000);
      await connector.revoke(aRevocationRequest());
      now = new Date(NOW.getTime() + 280_000);
      await connector.revoke(aRevocationRequest());

      const tokenRequests = receiver.requests.filter((r) => r.path === '/oauth/token');
      expect(tokenRequests).toHaveLength(2);
      expect(tokenRequests[0]!.headers.authorization).toBe(`Basic ${Buffer.from(`containment:${CLIENT_SECRET}`).toString('base64')}`);
      expect(new URLSearchParams(tokenRequests[0]!.body).get('grant_type')).toBe('client_credentials');
      expect(new URLSearchParams(tokenRequests[0]!.body).get('scope')).toBe('gtr');
      expect(receiver.requests.filter((r) => r.path === '/global-token-revocation').map((r) => r.headers.authorization)).toEqual([
        'Bearer at-1',
        'Bearer at-1',
        'Bearer at-2',
      ]);
    });

    it('sends the secret in the body with client_secret_post', async () => {
      await gtrConnector(entry({ authMethod: 'client_secret_post' })).revoke(aRevocationRequest());
      const form = new URLSearchParams(receiver.requests[0]!.body);
      expect([form.get('client_id'), form.get('client_secret'), receiver.requests[0]!.headers.authorization]).toEqual([
        'containment',
        CLIENT_SECRET,
        undefined,
      ]);
    });

    it('renews a token the endpoint refuses with 401, once', async () => {
      receiver.answerWith((r) =>
        r.path === '/oauth/token'
          ? { status: 200, body: { access_token: `at-${(issued += 1)}`, expires_in: 300 } }
          : r.headers.authorization === 'Bearer at-1'
            ? { status: 401 }
            : { status: 204 },
      );
      expect((await gtrConnector(entry()).revoke(aRevocationRequest())).status).toBe('confirmed');
      expect(receiver.requests.map((r) => `${r.path} ${r.headers.authorization ?? ''}`)).toEqual([
        expect.stringMatching(/^\/oauth\/token Basic /),
        '/global-token-revocation Bearer at-1',
        expect.stringMatching(/^\/oauth\/token Basic /),
        '/global-token-revocation Bearer at-2',
      ]);
    });

    it('fails when the token endpoint refuses, retries when it is down, and never shows the secret', async () => {
      receiver.answerWith(() => ({ status: 401, body: { error: 'invalid_client', error_description: `bad secret ${CLIENT_SECRET}` } }));
      const refused = await gtrConnector(entry()).revoke(aRevocationRequest());
      expect(refused.status).toBe('failed');
      expect(outcomeText(refused)).not.toContain(CLIENT_SECRET);
      receiver.answerWith(() => ({ status: 503 }));
      expect(await gtrConnector(entry()).revoke(aRevocationRequest())).toEqual({ status: 'retry', reason: 'token endpoint: HTTP 503' });
    });
  });

  describe('for the owner, on their offboarding only', () => {
    let directory: RecordingReceiver;
    let owner: Record<string, unknown>;
    beforeEach(async () => {
      owner = { id: OWNER_ID, email: 'leaver@example.com', status: 'terminated', identities: [{ source: 'https://idp.example', externalId: '00u1leaver' }] };
      directory = await new RecordingReceiver((r) => (r.path === `/owners/${OWNER_ID}` ? { status: 200, body: owner } : { status: 404 })).start();
    });
    afterEach(() => directory.stop());

    const ownerEntry = (extra: Record<string, unknown> = {}) => ({
      endpoint: endpoint(),
      bearerToken: BEARER,
      subject: 'owner',
      subjectFormat: 'email',
      ownerDirectory: { baseUrl: directory.url, bearerToken: DIRECTORY_TOKEN },
      ...extra,
    });

    it('reads the owner from the registry and, the owner being terminated, sends their email', async () => {
      const outcome = await gtrConnector(ownerEntry()).revoke(aRevocationRequest({ kind: 'deprovision' }));
      expect(outcome).toEqual({ status: 'confirmed', detail: 'every token of the offboarded owner revoked (204, email subject)' });
      expect(directory.requests[0]!.headers.authorization).toBe(`Bearer ${DIRECTORY_TOKEN}`);
      expect(sent()).toEqual({ sub_id: { format: 'email', email: 'leaver@example.com' } });
    });

    it('sends the opaque owner id, or each identity linked at the subject issuer', async () => {
      await gtrConnector(ownerEntry({ subjectFormat: 'opaque' })).revoke(aRevocationRequest());
      await gtrConnector(ownerEntry({ subjectFormat: 'iss_sub', subjectIssuer: 'https://idp.example' })).revoke(aRevocationRequest());
      expect([sent(0), sent(1)]).toEqual([
        { sub_id: { format: 'opaque', id: OWNER_ID } },
        { sub_id: { format: 'iss_sub', iss: 'https://idp.example', sub: '00u1leaver' } },
      ]);
    });

    it('does nothing while the owner is active (one agent contained is no reason to log its owner out), nor on a release', async () => {
      owner.status = 'active';
      expect(await gtrConnector(ownerEntry()).revoke(aRevocationRequest())).toEqual({ status: 'confirmed', detail: `${OWNER_NOT_OFFBOARDED} (active)` });
      owner.status = 'terminated';
      expect(await gtrConnector(ownerEntry()).revoke(aRevocationRequest({ kind: 'release' }))).toEqual({
        status: 'confirmed',
        detail: 'a release asks nothing of the owner',
      });
      expect(receiver.requests).toHaveLength(0);
    });

    it('counts a suspended owner as offboarded only where configured', async () => {
      owner.status = 'suspended';
      expect(await gtrConnector(ownerEntry()).revoke(aRevocationRequest())).toEqual({ status: 'confirmed', detail: `${OWNER_NOT_OFFBOARDED} (suspended)` });
      expect((await gtrConnector(ownerEntry({ ownerStatuses: ['terminated', 'suspended'] })).revoke(aRevocationRequest())).status).toBe('confirmed');
      expect(receiver.requests).toHaveLength(1);
    });

    it('reaches the receiver once for the many agents of one offboarding, and again for a later decision', async () => {
      let now = NOW;
      const connector = gtrConnector(ownerEntry(), () => now);
      const decided = '2025-03-01T12:00:00.000Z';
      const outcomes = await Promise.all([1, 2, 3, 4].map(() => connector.revoke(aRevocationRequest({ kind: 'deprovision', occurredAt: decided }))));
      expect(outcomes.every((o) => o.status === 'confirmed')).toBe(true);
      expect(await connector.revoke(aRevocationRequest({ kind: 'deprovision', occurredAt: decided }))).toMatchObject({ status: 'confirmed' });
      expect(receiver.requests).toHaveLength(1);
      now = new Date(NOW.getTime() + 60_000);
      await connector.revoke(aRevocationRequest({ kind: 'deprovision', occurredAt: new Date(NOW.getTime() + 30_000).toISOString() }));
      expect(receiver.requests).toHaveLength(2);
    });

    it('fails where the owner cannot be named, and when the registry refuses; retries when it is down', async () => {
      owner.email = null;
      expect(await gtrConnector(ownerEntry()).revoke(aRevocationRequest())).toEqual({
        status: 'failed',
        reason: 'the owner has no email in the registry: the receiver cannot be told whom to log out',
      });
      expect((await gtrConnector(ownerEntry({ subjectFormat: 'iss_sub', subjectIssuer: 'https://other.example' })).revoke(aRevocationRequest())).status).toBe(
        'failed',
      );
      directory.answerWith(() => ({ status: 403, body: { token: DIRECTORY_TOKEN } }));
      const refused = await gtrConnector(ownerEntry()).revoke(aRevocationRequest());
      expect(refused.status).toBe('failed');
      expect(outcomeText(refused)).not.toContain(DIRECTORY_TOKEN);
      directory.answerWith(() => ({ status: 502 }));
      expect(await gtrConnector(ownerEntry()).revoke(aRevocationRequest())).toEqual({ status: 'retry', reason: 'owner directory: HTTP 502' });
      expect(receiver.requests).toHaveLength(0);
    });

    it('does nothing for an agent without a known owner', async () => {
      expect((await gtrConnector(ownerEntry()).revoke(aRevocationRequest({ ownerId: undefined }))).status).toBe('confirmed');
      expect(directory.requests).toHaveLength(0);
    });
  });

  describe('configuration', () => {
    const base = { name: 'crm-gtr', type: 'global-token-revocation', endpoint: 'https://crm.example/global-token-revocation' };
    const refusal = (entry: Record<string, unknown>, requireHttps = false) => {
      try {
        createConnectors([{ ...base, ...entry }], { requireHttps });
      } catch (error) {
        return (error as Error).message;
      }
      return 'accepted';
    };

    it('fills in the defaults: the agent, opaque, failed on 404, terminated owners', () => {
      expect(refusal({ bearerToken: BEARER })).toBe('accepted');
    });

    it.each([
      ['neither credential', {}, 'set exactly one of "bearerToken" and "clientCredentials"'],
      [
        'both credentials',
        { bearerToken: BEARER, clientCredentials: { tokenEndpoint: 'https://as.example/token', clientId: 'c', clientSecret: CLIENT_SECRET } },
        'set exactly one',
      ],
      ['iss_sub without its issuer', { bearerToken: BEARER, subjectFormat: 'iss_sub' }, 'field "subjectIssuer" is required'],
      ['an issuer without iss_sub', { bearerToken: BEARER, subjectIssuer: 'https://x.example' }, 'field "subjectIssuer" goes only with'],
      ['an agent by email', { bearerToken: BEARER, subjectFormat: 'email' }, 'needs "subject": "owner"'],
      ['an owner without the directory', { bearerToken: BEARER, subject: 'owner' }, 'field "ownerDirectory" is required'],
      ['an unknown format', { bearerToken: BEARER, subjectFormat: 'phone_number' }, 'field "subjectFormat" must be equal to one of the allowed values'],
      ['an unknown field', { bearerToken: BEARER, subjectId: 'x' }, 'unknown field "subjectId"'],
      ['a token endpoint that is no URL', { clientCredentials: { tokenEndpoint: 'not a url', clientId: 'c', clientSecret: CLIENT_SECRET } }, 'tokenEndpoint'],
    ])('refuses %s, naming the field and never a value', (_why, entry, message) => {
      const text = refusal(entry);
      expect(text).toContain(message);
      expect(text).not.toContain(BEARER);
      expect(text).not.toContain(CLIENT_SECRET);
    });

    it('requires https for every hop that carries a credential in production, unless allowPlainHttp', () => {
      expect(refusal({ endpoint: 'http://crm.internal/gtr', bearerToken: BEARER }, true)).toContain('field "endpoint" must be https');
      const clientCredentials = { tokenEndpoint: 'http://as.internal/token', clientId: 'c', clientSecret: CLIENT_SECRET };
      expect(refusal({ clientCredentials }, true)).toContain('field "clientCredentials.tokenEndpoint" must be https');
      expect(
        refusal({ endpoint: 'http://crm.internal/gtr', clientCredentials: { ...clientCredentials, tokenEndpoint: 'https://as.example/token' } }, true),
      ).toContain('field "endpoint" must be https');
      const ownerDirectory = { baseUrl: 'http://provisioner.internal', bearerToken: DIRECTORY_TOKEN };
      expect(refusal({ bearerToken: BEARER, subject: 'owner', subjectFormat: 'email', ownerDirectory }, true)).toContain(
        'field "ownerDirectory.baseUrl" must be https',
      );
      expect(refusal({ bearerToken: BEARER, subject: 'owner', subjectFormat: 'email', ownerDirectory, allowPlainHttp: true }, true)).toBe('accepted');
    });
  });
});
