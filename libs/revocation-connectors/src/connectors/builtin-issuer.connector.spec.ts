import { RecordingReceiver } from '@agentgov/service-testing';

import { AGENT_ID, aRevocationRequest, outcomeText } from '../../test/support/revocation-request';
import { unusedLocalUrl } from '../../test/support/unused-local-url';
import { createConnectors } from '../create-connectors';
import { RevocationConnector } from '../revocation-connector';
import { NOT_REGISTERED_AT_ISSUER } from './builtin-issuer.connector';

const BEARER = 'containment-service-token-8c7d6e5f4a3b2c1d';
const NOW = new Date('2025-03-01T12:00:05.000Z');

function issuerConnector(baseUrl: string): RevocationConnector {
  const config = [{ name: 'agentgov-issuer', type: 'builtin-issuer', baseUrl, bearerToken: BEARER, timeoutMs: 300 }];
  return createConnectors(config, { now: () => NOW })[0]!;
}

describe('builtin-issuer connector', () => {
  let server: RecordingReceiver;
  beforeEach(async () => (server = await new RecordingReceiver(() => ({ status: 200 })).start()));
  afterEach(() => server.stop());

  it("calls the issuer's revoke-tokens endpoint for the agent with the bearer token, and confirms on 200", async () => {
    server.answerWith(() => ({ status: 200, body: { agent: { id: AGENT_ID }, tokensNotBefore: NOW.toISOString() } }));

    const outcome = await issuerConnector(`${server.url}/provisioner/`).revoke(aRevocationRequest());

    expect(outcome).toEqual({ status: 'confirmed', detail: 'all tokens issued so far are inactive' });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({ method: 'POST', path: `/provisioner/agents/${AGENT_ID}/revoke-tokens`, body: '' });
    expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${BEARER}`);
  });

  it('never calls the issuer for an id that is not a uuid (a shadow agent): nothing was ever issued to it', async () => {
    const outcome = await issuerConnector(server.url).revoke(aRevocationRequest({ agentId: 'shadow bot/../admin?x=1' }));
    expect(outcome).toEqual({ status: 'confirmed', detail: NOT_REGISTERED_AT_ISSUER });
    expect(server.requests).toHaveLength(0);
  });

  it('revokes on release too, so that the agent restarts from fresh credentials only', async () => {
    const outcome = await issuerConnector(server.url).revoke(aRevocationRequest({ kind: 'release' }));
    expect(outcome.status).toBe('confirmed');
    expect(server.requests).toHaveLength(1);
  });

  it("confirms with nothing to revoke only on the issuer's own problem for an unknown agent", async () => {
    server.answerWith(() => ({ status: 404, body: { type: 'urn:agentgov:problem:agent-not-found', status: 404, code: 'AGENT_NOT_FOUND' } }));
    expect(await issuerConnector(server.url).revoke(aRevocationRequest())).toEqual({ status: 'confirmed', detail: NOT_REGISTERED_AT_ISSUER });
  });

  it.each([404, 400])('fails loudly on any other %i (a wrong baseUrl must not confirm revocations that never happened)', async (status) => {
    server.answerWith(() => ({ status, body: { type: 'about:blank', status } }));
    const outcome = await issuerConnector(server.url).revoke(aRevocationRequest());
    expect(outcome.status).toBe('failed');
  });

  it('asks for a retry on 503, honouring Retry-After', async () => {
    server.answerWith(() => ({ status: 503, headers: { 'retry-after': '7' }, body: 'maintenance' }));
    const outcome = await issuerConnector(server.url).revoke(aRevocationRequest());
    expect(outcome).toEqual({ status: 'retry', reason: 'issuer: HTTP 503: maintenance', retryAfterMs: 7000 });
  });

  it('asks for a retry when the issuer does not answer in time', async () => {
    server.answerWith(() => 'hang');
    const started = Date.now();
    const outcome = await issuerConnector(server.url).revoke(aRevocationRequest());
    expect(outcome).toEqual({ status: 'retry', reason: 'issuer: no answer within 300 ms' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('asks for a retry when the issuer cannot be reached', async () => {
    const outcome = await issuerConnector(await unusedLocalUrl()).revoke(aRevocationRequest());
    expect(outcome).toEqual({ status: 'retry', reason: 'issuer: network error (ECONNREFUSED)' });
  });

  it("stops when the caller's signal aborts", async () => {
    server.answerWith(() => 'hang');
    const controller = new AbortController();
    const pending = issuerConnector(server.url).revoke(aRevocationRequest(), controller.signal);
    setTimeout(() => controller.abort(), 20);
    expect(await pending).toEqual({ status: 'retry', reason: 'issuer: cancelled by the caller' });
  });

  it('fails for good on 401 and never repeats the bearer token, even when the issuer echoes it', async () => {
    server.answerWith((request) => ({ status: 401, body: { error: 'invalid_token', received: request.headers.authorization } }));
    const outcome = await issuerConnector(server.url).revoke(aRevocationRequest());
    expect(outcome.status).toBe('failed');
    expect(outcomeText(outcome)).toContain('issuer: HTTP 401');
    expect(outcomeText(outcome)).not.toContain(BEARER);
  });
});
