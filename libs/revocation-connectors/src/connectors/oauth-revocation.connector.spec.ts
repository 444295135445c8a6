import { RecordingReceiver } from '@agentgov/service-testing';

import { aRevocationRequest, outcomeText } from '../../test/support/revocation-request';
import { createConnectors } from '../create-connectors';
import { RevocationConnector, RevocationRequest } from '../revocation-connector';
import { NO_TOKENS_ON_RECORD } from './oauth-revocation.connector';

const CLIENT_ID = 'agent gov:containment';
const CLIENT_SECRET = 'p@ss w+rd/é%';
const ACCESS = 'at-2f9d8c7b6a5e4d3c2b1a';
const REFRESH = 'rt-11aa22bb33cc44dd55ee';
const NOW = new Date('2025-03-01T12:00:05.000Z');
const tokens: RevocationRequest['tokens'] = [
  { token: ACCESS, tokenTypeHint: 'access_token' },
  { token: REFRESH, tokenTypeHint: 'refresh_token' },
];

function revocationConnector(endpoint: string, authMethod?: string): RevocationConnector {
  const config = [
    {
      name: 'crm',
      type: 'oauth-revocation',
      revocationEndpoint: endpoint,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      timeoutMs: 300,
      ...(authMethod ? { authMethod } : {}),
    },
  ];
  return createConnectors(config, { now: () => NOW })[0]!;
}

describe('oauth-revocation connector (RFC 7009)', () => {
  let server: RecordingReceiver;
  beforeEach(async () => (server = await new RecordingReceiver(() => ({ status: 200 })).start()));
  afterEach(() => server.stop());

  it('revokes every token with client_secret_basic, id and secret form-encoded before base64', async () => {
    const outcome = await revocationConnector(`${server.url}/oauth2/revoke`).revoke(aRevocationRequest({ tokens }));

    expect(outcome).toEqual({ status: 'confirmed', detail: 'revoked 2 tokens' });
    expect(server.requests.map((r) => [r.method, r.path, r.body])).toEqual([
      ['POST', '/oauth2/revoke', `token=${ACCESS}&token_type_hint=access_token`],
      ['POST', '/oauth2/revoke', `token=${REFRESH}&token_type_hint=refresh_token`],
    ]);
    const { headers } = server.requests[0]!;
    expect(headers['content-type']).toBe('application/x-www-form-urlencoded');
    const decoded = Buffer.from(String(headers.authorization).replace(/^Basic /, ''), 'base64').toString('utf8');
    expect(decoded).toBe('agent+gov%3Acontainment:p%40ss+w%2Brd%2F%C3%A9%25');
  });

  it('sends the client credentials in the form with client_secret_post, and no hint when none is known', async () => {
    await revocationConnector(server.url, 'client_secret_post').revoke(aRevocationRequest({ tokens: [{ token: ACCESS }] }));

    const [request] = server.requests;
    expect(request!.headers.authorization).toBeUndefined();
    expect(Object.fromEntries(new URLSearchParams(request!.body))).toEqual({ token: ACCESS, client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
  });

  it('confirms without calling anyone when no token is on record', async () => {
    const outcome = await revocationConnector(server.url).revoke(aRevocationRequest({ tokens: [] }));
    expect(outcome).toEqual({ status: 'confirmed', detail: NO_TOKENS_ON_RECORD });
    expect(server.requests).toHaveLength(0);
  });

  it('asks for a retry on 503, honouring a Retry-After date, and stops at that token', async () => {
    server.answerWith(() => ({ status: 503, headers: { 'retry-after': 'Sat, 01 Mar 2025 12:00:35 GMT' }, body: { error: 'temporarily_unavailable' } }));
    const outcome = await revocationConnector(server.url).revoke(aRevocationRequest({ tokens }));
    expect(outcome).toEqual({
      status: 'retry',
      reason: 'revocation endpoint, token 1 of 2: HTTP 503: {"error":"temporarily_unavailable"}',
      retryAfterMs: 30_000,
    });
    expect(server.requests).toHaveLength(1);
  });

  it('fails for good on unsupported_token_type', async () => {
    server.answerWith((request) => (request.body.includes('refresh_token') ? { status: 400, body: { error: 'unsupported_token_type' } } : { status: 200 }));
    const outcome = await revocationConnector(server.url).revoke(aRevocationRequest({ tokens }));
    expect(outcome).toEqual({ status: 'failed', reason: 'revocation endpoint, token 2 of 2: HTTP 400: {"error":"unsupported_token_type"}' });
  });

  it('asks for a retry when the endpoint does not answer in time', async () => {
    server.answerWith(() => 'hang');
    const outcome = await revocationConnector(server.url).revoke(aRevocationRequest({ tokens }));
    expect(outcome).toEqual({ status: 'retry', reason: 'revocation endpoint, token 1 of 2: no answer within 300 ms' });
  });

  it('never repeats a token or the client secret, even when the endpoint echoes the whole request', async () => {
    server.answerWith((request) => ({ status: 401, body: `invalid_client: ${request.headers.authorization} ${request.body} ${CLIENT_SECRET}` }));
    for (const authMethod of ['client_secret_basic', 'client_secret_post']) {
      const outcome = await revocationConnector(server.url, authMethod).revoke(aRevocationRequest({ tokens }));
      expect(outcome.status).toBe('failed');
      const text = outcomeText(outcome);
      for (const secret of [CLIENT_SECRET, encodeURIComponent(CLIENT_SECRET), ACCESS, REFRESH]) expect(text).not.toContain(secret);
      expect(text).toContain('HTTP 401: invalid_client');
    }
  });
});
