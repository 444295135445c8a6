import { CAEP_EVENT_TYPE_URIS } from './caep-event-types';
import { SSF_FRAMEWORK_EVENT_TYPE_URIS, streamSetClaims } from './stream-events';

const base = { issuer: 'https://containment.example', audience: 'receiver-a', streamId: 'stream-1', jti: 'jti-1', issuedAt: new Date('2026-01-02T03:04:05Z') };
const caep = {
  kind: 'caep' as const,
  agentId: 'agent-7',
  actionId: 'action-9',
  reason: 'anomaly 0.995 on records_per_10m',
  occurredAt: '2026-01-02T03:00:00.000Z',
  initiatingEntity: 'policy' as const,
  credentialType: 'password',
};

describe('SETs of managed streams', () => {
  it('carries a session-revoked about the agent as iss_sub, with txn, reason_admin and no sub or exp (SSF 1.0 §4.1, CAEP interop §3.1)', () => {
    const claims = streamSetClaims({ ...base, event: { ...caep, event: 'session-revoked' } });
    expect(claims).toEqual({
      iss: 'https://containment.example',
      aud: 'receiver-a',
      iat: Date.parse('2026-01-02T03:04:05Z') / 1000,
      jti: 'jti-1',
      txn: 'action-9',
      sub_id: { format: 'iss_sub', iss: 'https://containment.example', sub: 'agent-7' },
      events: {
        [CAEP_EVENT_TYPE_URIS['session-revoked']]: {
          event_timestamp: Date.parse('2026-01-02T03:00:00Z') / 1000,
          initiating_entity: 'policy',
          reason_admin: { en: 'anomaly 0.995 on records_per_10m' },
        },
      },
    });
    expect(claims).not.toHaveProperty('sub');
    expect(claims).not.toHaveProperty('exp');
  });

  it('carries a credential-change revoke with its credential_type, one event per SET (CAEP interop §2.8, §3.2)', () => {
    const claims = streamSetClaims({ ...base, event: { ...caep, event: 'credential-change', reason: '  ' } });
    expect(Object.keys(claims.events as object)).toEqual([CAEP_EVENT_TYPE_URIS['credential-change']]);
    expect((claims.events as Record<string, unknown>)[CAEP_EVENT_TYPE_URIS['credential-change']]).toMatchObject({
      credential_type: 'password',
      change_type: 'revoke',
      reason_admin: { en: 'containment action' },
    });
  });

  it('names the stream as opaque in verification (with the receiver’s state) and stream-updated events (SSF 1.0 §8.1.4.1, §8.1.5)', () => {
    expect(streamSetClaims({ ...base, event: { kind: 'verification', state: 'abc' } })).toMatchObject({
      sub_id: { format: 'opaque', id: 'stream-1' },
      events: { [SSF_FRAMEWORK_EVENT_TYPE_URIS.verification]: { state: 'abc' } },
    });
    expect(streamSetClaims({ ...base, event: { kind: 'verification' } }).events).toEqual({ [SSF_FRAMEWORK_EVENT_TYPE_URIS.verification]: {} });
    expect(streamSetClaims({ ...base, event: { kind: 'stream-updated', status: 'paused', reason: 'maintenance' } })).toMatchObject({
      sub_id: { format: 'opaque', id: 'stream-1' },
      events: { [SSF_FRAMEWORK_EVENT_TYPE_URIS.streamUpdated]: { status: 'paused', reason: 'maintenance' } },
    });
  });
});
