import { CAEP_EVENT_TYPE_URIS } from '@agentgov/revocation-connectors';

import { SsfTransmitterError } from './ssf-transmitter.errors';
import { checkTransmitterSupplied, eventsDelivered, patchedReceiverSupplied, receiverSuppliedOf, renderStream, StoredStream } from './stream-config';

const PUSH = 'urn:ietf:rfc:8935';
const POLL = 'urn:ietf:rfc:8936';
const SESSION = CAEP_EVENT_TYPE_URIS['session-revoked'];
const CREDENTIAL = CAEP_EVENT_TYPE_URIS['credential-change'];
const context = { issuer: 'https://containment.example', pollUrl: (id: string) => `https://containment.example/ssf/poll/${id}`, httpsOnly: false };
const stream: StoredStream = {
  id: 's1',
  receiver: 'receiver-a',
  audience: 'receiver-a',
  deliveryMethod: PUSH,
  endpointUrl: 'https://receiver.example/events',
  eventsRequested: [SESSION],
  eventsDelivered: [SESSION],
  status: 'enabled',
  hasAuthorizationHeader: true,
};
const refused = (f: () => unknown) => {
  try {
    f();
  } catch (error) {
    return error instanceof SsfTransmitterError ? error.status : 'other error';
  }
  return 'accepted';
};

describe('stream configuration (OpenID SSF 1.0 §8.1.1)', () => {
  it('delivers the supported events the receiver requested, ignoring the ones it does not know, and all of them when it asked for none', () => {
    expect(eventsDelivered([CREDENTIAL, 'urn:example:unknown'])).toEqual([CREDENTIAL]);
    expect(eventsDelivered(undefined)).toEqual([SESSION, CREDENTIAL]);
    expect(eventsDelivered(['urn:example:unknown'])).toEqual([]);
  });

  it('creates a poll stream when no delivery is given (§8.1.1.1), and a push stream with the receiver’s endpoint and header', () => {
    expect(receiverSuppliedOf({}, context)).toEqual({ deliveryMethod: POLL });
    expect(
      receiverSuppliedOf(
        { delivery: { method: PUSH, endpoint_url: 'http://127.0.0.1:9/events', authorization_header: 'Bearer x' }, events_requested: [SESSION] },
        context,
      ),
    ).toEqual({ deliveryMethod: PUSH, endpointUrl: 'http://127.0.0.1:9/events', authorizationHeader: 'Bearer x', eventsRequested: [SESSION] });
  });

  it.each([
    ['an unknown delivery method', { delivery: { method: 'urn:example:carrier-pigeon' } }],
    ['push without an endpoint', { delivery: { method: PUSH } }],
    ['push to a relative endpoint', { delivery: { method: PUSH, endpoint_url: '/events' } }],
    ['push to a non-http endpoint', { delivery: { method: PUSH, endpoint_url: 'file:///etc/passwd' } }],
    ['push with credentials in the URL', { delivery: { method: PUSH, endpoint_url: 'https://u:p@receiver.example/' } }],
    ['a header with a line break', { delivery: { method: PUSH, endpoint_url: 'https://r.example/', authorization_header: 'Bearer x\r\nX-Evil: 1' } }],
    ['a poll endpoint chosen by the receiver', { delivery: { method: POLL, endpoint_url: 'https://elsewhere.example/poll' } }],
    ['events_requested that is not a list of URIs', { events_requested: 'all' }],
  ])('refuses %s with 400', (_what, body) => {
    expect(refused(() => receiverSuppliedOf(body, context))).toBe(400);
  });

  it('refuses push over plain http in production', () => {
    expect(
      refused(() => receiverSuppliedOf({ delivery: { method: PUSH, endpoint_url: 'http://receiver.example/events' } }, { ...context, httpsOnly: true })),
    ).toBe(400);
  });

  it('renders the configuration with the transmitter’s poll endpoint and never the Authorization header', () => {
    expect(renderStream({ ...stream, deliveryMethod: POLL, endpointUrl: undefined }, context)).toMatchObject({
      stream_id: 's1',
      iss: 'https://containment.example',
      aud: 'receiver-a',
      delivery: { method: POLL, endpoint_url: 'https://containment.example/ssf/poll/s1' },
      events_supported: [SESSION, CREDENTIAL],
      events_delivered: [SESSION],
      min_verification_interval: 10,
    });
    expect(JSON.stringify(renderStream(stream, context))).not.toContain('authorization');
  });

  it('a PATCH changes what it names and keeps the rest (§8.1.1.3)', () => {
    expect(patchedReceiverSupplied(stream, 'Bearer kept', { stream_id: 's1', description: 'mine' }, context)).toEqual({
      deliveryMethod: PUSH,
      endpointUrl: 'https://receiver.example/events',
      authorizationHeader: 'Bearer kept',
      eventsRequested: [SESSION],
      description: 'mine',
    });
    expect(patchedReceiverSupplied(stream, 'Bearer kept', { stream_id: 's1', delivery: { method: POLL } }, context)).toEqual({
      deliveryMethod: POLL,
      eventsRequested: [SESSION],
    });
  });

  it('accepts Transmitter-Supplied properties sent back unchanged, and refuses changed ones or unknown properties (§8.1.1.3, §8.1.1.4)', () => {
    const sentBack = { ...renderStream(stream, context), description: 'x' };
    expect(refused(() => checkTransmitterSupplied(sentBack, stream, context))).toBe('accepted');
    expect(refused(() => checkTransmitterSupplied({ stream_id: 's1', aud: ['receiver-a'] }, stream, context))).toBe('accepted');
    expect(refused(() => checkTransmitterSupplied({ stream_id: 's1', iss: 'https://evil.example' }, stream, context))).toBe(400);
    expect(refused(() => checkTransmitterSupplied({ stream_id: 's1', aud: 'receiver-b' }, stream, context))).toBe(400);
    expect(refused(() => checkTransmitterSupplied({ stream_id: 's1', events_delivered: [SESSION, CREDENTIAL] }, stream, context))).toBe(400);
    expect(refused(() => checkTransmitterSupplied({ stream_id: 's1', format: 'email' }, stream, context))).toBe(400);
  });
});
