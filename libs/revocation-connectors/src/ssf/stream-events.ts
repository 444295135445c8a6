import { JWTPayload } from 'jose';

import { SsfEvent } from '../config/connector-config';
import { CAEP_EVENT_TYPE_URIS } from './caep-event-types';

/** SSF 1.0 §6.1.1 and §6.1.2: the delivery method URIs of a stream's `delivery.method`. */
export const SSF_DELIVERY_METHODS = { push: 'urn:ietf:rfc:8935', poll: 'urn:ietf:rfc:8936' } as const;

/** The event types SSF 1.0 itself defines: §8.1.4.1 (Verification Event) and §8.1.5 (Stream Updated Event). */
export const SSF_FRAMEWORK_EVENT_TYPE_URIS = {
  verification: 'https://schemas.openid.net/secevent/ssf/event-type/verification',
  streamUpdated: 'https://schemas.openid.net/secevent/ssf/event-type/stream-updated',
} as const;

export type StreamStatus = 'enabled' | 'paused' | 'disabled';

/** CAEP 1.0 §2 `initiating_entity`: who started the change. */
export type InitiatingEntity = 'admin' | 'user' | 'policy' | 'system';

/** One event a managed stream carries; each becomes one SET (the CAEP interoperability profile: one event per SET). */
export type StreamEvent =
  | {
      kind: 'caep';
      event: SsfEvent;
      agentId: string;
      actionId: string;
      reason: string;
      /** ISO time the action was decided: the event's `event_timestamp`. */
      occurredAt: string;
      initiatingEntity: InitiatingEntity;
      /** CAEP credential-change `credential_type`. */
      credentialType: string;
    }
  | { kind: 'verification'; state?: string }
  | { kind: 'stream-updated'; status: StreamStatus; reason?: string };

export interface StreamSetInput {
  issuer: string;
  audience: string | string[];
  streamId: string;
  /** Fixed per event and stream: a SET sent again (a retry, a poll before the ack) keeps its `jti`. */
  jti: string;
  event: StreamEvent;
  issuedAt: Date;
}

/**
 * The claims of the SET that carries one stream event (RFC 8417, profiled by SSF 1.0 §4.1): `typ` is set by the
 * signer, no `sub` and no `exp` ("Distinguishing SETs from other Kinds of JWTs"), `sub_id` always (§3.1). A
 * containment event names the agent as `iss_sub` under this transmitter (CAEP interoperability profile §2.5 "Event
 * Subjects": receivers accept `email` and `iss_sub`; `opaque` is for the verification event only), with `txn` the
 * containment action (SSF 1.0 §4.1, the "txn" claim: the session-revoked and credential-change SETs of one action share
 * it). Verification and stream-updated events name the stream as `opaque` (§8.1.4.1, §8.1.5).
 */
export function streamSetClaims(input: StreamSetInput): JWTPayload {
  const { event } = input;
  const iat = Math.floor(input.issuedAt.getTime() / 1000);
  const common = { iss: input.issuer, aud: input.audience, iat, jti: input.jti };
  if (event.kind === 'verification') {
    return {
      ...common,
      sub_id: { format: 'opaque', id: input.streamId },
      events: { [SSF_FRAMEWORK_EVENT_TYPE_URIS.verification]: event.state === undefined ? {} : { state: event.state } },
    };
  }
  if (event.kind === 'stream-updated') {
    return {
      ...common,
      sub_id: { format: 'opaque', id: input.streamId },
      events: { [SSF_FRAMEWORK_EVENT_TYPE_URIS.streamUpdated]: { status: event.status, ...(event.reason ? { reason: event.reason } : {}) } },
    };
  }
  const occurredMs = Date.parse(event.occurredAt);
  // The interoperability profile (§3.1 Session Revocation, §3.2 Credential Change) requires a non-empty reason_admin on both event types.
  const reasonAdmin = event.reason.trim() === '' ? 'containment action' : event.reason.slice(0, 1000);
  const base = {
    event_timestamp: Number.isNaN(occurredMs) ? iat : Math.floor(occurredMs / 1000),
    initiating_entity: event.initiatingEntity,
    reason_admin: { en: reasonAdmin },
  };
  const payload = event.event === 'session-revoked' ? base : { ...base, credential_type: event.credentialType, change_type: 'revoke' };
  return {
    ...common,
    txn: event.actionId,
    sub_id: { format: 'iss_sub', iss: input.issuer, sub: event.agentId },
    events: { [CAEP_EVENT_TYPE_URIS[event.event]]: payload },
  };
}
