import { RecordingReceiver } from '@agentgov/service-testing';

import { ACTION_ID, AGENT_ID, aRevocationRequest, outcomeText } from '../../test/support/revocation-request';
import { createConnectors } from '../create-connectors';
import { RevocationConnector } from '../revocation-connector';
import { postSignedWebhook } from '../webhook/signed-webhook-delivery';
import { verifyWebhookSignature } from '../webhook/webhook-signature';

const SECRET = 'whsec-5f4e3d2c1b0a99887766554433221100';
const NOW = new Date('2025-03-01T12:00:05.000Z');

function webhookConnector(url: string): RevocationConnector {
  return createConnectors([{ name: 'siem-hook', type: 'webhook', url, secret: SECRET, timeoutMs: 300 }], { now: () => NOW })[0]!;
}

describe('webhook connector', () => {
  let server: RecordingReceiver;
  beforeEach(async () => (server = await new RecordingReceiver(() => ({ status: 200 })).start()));
  afterEach(() => server.stop());

  it('POSTs the universal-logout event as JSON with an idempotency key and a signature the receiver can verify', async () => {
    const request = aRevocationRequest({ kind: 'deprovision', sequence: 4711 });
    const outcome = await webhookConnector(`${server.url}/hooks/agentgov`).revoke(request);

    expect(outcome).toEqual({ status: 'confirmed', detail: 'receiver answered 200' });
    const [received] = server.requests;
    expect(received).toMatchObject({ method: 'POST', path: '/hooks/agentgov' });
    expect(received!.headers['content-type']).toBe('application/json');
    expect(received!.headers['idempotency-key']).toBe(request.deliveryId);
    expect(JSON.parse(received!.body)).toEqual({
      type: 'agentgov.universal-logout',
      deliveryId: request.deliveryId,
      actionId: ACTION_ID,
      agentId: AGENT_ID,
      ownerId: request.ownerId,
      kind: 'deprovision',
      reason: request.reason,
      occurredAt: request.occurredAt,
      sequence: 4711,
    });
    const signature = String(received!.headers['agentgov-signature']);
    expect(signature).toMatch(new RegExp(`^t=${NOW.getTime() / 1000},v1=[0-9a-f]{64}$`));
    expect(verifyWebhookSignature(SECRET, signature, received!.body, { now: () => NOW })).toBe(true);
    expect(verifyWebhookSignature('another-secret-of-32-characters!!', signature, received!.body, { now: () => NOW })).toBe(false);
  });

  it('sends ownerId as null for an agent without a known owner', async () => {
    await webhookConnector(server.url).revoke(aRevocationRequest({ ownerId: undefined }));
    expect(JSON.parse(server.requests[0]!.body).ownerId).toBeNull();
  });

  it.each([
    [200, 'confirmed'],
    [204, 'confirmed'],
    [202, 'sent'],
  ])('reads %i as %s', async (status, expected) => {
    server.answerWith(() => ({ status }));
    expect((await webhookConnector(server.url).revoke(aRevocationRequest())).status).toBe(expected);
  });

  it.each([500, 503, 408, 429])('asks for a retry on %i, honouring Retry-After', async (status) => {
    server.answerWith(() => ({ status, headers: { 'retry-after': '3' }, body: 'busy' }));
    expect(await webhookConnector(server.url).revoke(aRevocationRequest())).toEqual({
      status: 'retry',
      reason: `webhook: HTTP ${status}: busy`,
      retryAfterMs: 3000,
    });
  });

  it('asks for a retry when the receiver does not answer in time', async () => {
    server.answerWith(() => 'hang');
    expect(await webhookConnector(server.url).revoke(aRevocationRequest())).toEqual({ status: 'retry', reason: 'webhook: no answer within 300 ms' });
  });

  it.each([400, 401, 404, 410])('fails for good on %i, and never repeats the secret even when echoed', async (status) => {
    server.answerWith((request) => ({ status, body: `bad signature ${request.headers['agentgov-signature']} expected with ${SECRET}` }));
    const outcome = await webhookConnector(server.url).revoke(aRevocationRequest());
    expect(outcome.status).toBe('failed');
    expect(outcomeText(outcome)).toContain(`webhook: HTTP ${status}: bad signature`);
    expect(outcomeText(outcome)).not.toContain(SECRET);
  });

  it('does not follow redirects, which would carry the event to an unconfigured place', async () => {
    server.answerWith(() => ({ status: 307, headers: { location: 'http://127.0.0.1:9/elsewhere' } }));
    const outcome = await webhookConnector(server.url).revoke(aRevocationRequest());
    expect(outcome).toEqual({ status: 'failed', reason: 'webhook: HTTP 307' });
    expect(server.requests).toHaveLength(1);
  });
});

describe('postSignedWebhook', () => {
  it('delivers any JSON body signed like the connector does', async () => {
    const server = await new RecordingReceiver(() => ({ status: 202 })).start();
    try {
      const outcome = await postSignedWebhook({ url: server.url, secret: SECRET, body: { alert: 'a-1' }, idempotencyKey: 'alert:1', now: () => NOW });
      expect(outcome).toEqual({ status: 'sent', detail: 'accepted for later processing (202)' });
      const [received] = server.requests;
      expect(received!.headers['idempotency-key']).toBe('alert:1');
      expect(verifyWebhookSignature(SECRET, String(received!.headers['agentgov-signature']), received!.body, { now: () => NOW })).toBe(true);
    } finally {
      await server.stop();
    }
  });

  it('fails without sending anything when the URL or the secret is unusable', async () => {
    expect(await postSignedWebhook({ url: 'not a url', secret: SECRET, body: {}, idempotencyKey: 'k' })).toEqual({
      status: 'failed',
      reason: 'webhook: url is not an absolute http(s) URL',
    });
    expect(await postSignedWebhook({ url: 'https://hooks.example', secret: 'short', body: {}, idempotencyKey: 'k' })).toEqual({
      status: 'failed',
      reason: 'webhook: secret is shorter than 32 characters',
    });
  });
});
