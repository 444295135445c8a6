import { KeyObject } from 'node:crypto';

import { JWTPayload, SignJWT } from 'jose';

import { deterministicUuid } from '@agentgov/contracts';

import { SsfEvent } from '../config/connector-config';
import { RevocationRequest } from '../revocation-connector';
import { CAEP_EVENT_TYPE_URIS, SET_TYPE } from './caep-event-types';

export interface SecurityEventInput {
  issuer: string;
  audience: string;
  event: SsfEvent;
  /** CAEP credential-change `credential_type`. */
  credentialType: string;
  request: RevocationRequest;
  issuedAt: Date;
}

/**
 * The claims of one SET (RFC 8417) carrying one CAEP event about the agent. `jti` depends only on the
 * delivery and the event, so a resent SET is recognisable as the same one; `txn` ties it to the action.
 */
export function securityEventClaims(input: SecurityEventInput): JWTPayload {
  const { request, event } = input;
  const issuedAtSeconds = Math.floor(input.issuedAt.getTime() / 1000);
  const occurredAtMs = Date.parse(request.occurredAt);
  const eventTimestamp = Number.isNaN(occurredAtMs) ? issuedAtSeconds : Math.floor(occurredAtMs / 1000);
  const common = { event_timestamp: eventTimestamp, reason_admin: { en: request.reason } };
  const payload = event === 'session-revoked' ? common : { ...common, credential_type: input.credentialType, change_type: 'revoke' };
  return {
    iss: input.issuer,
    aud: input.audience,
    iat: issuedAtSeconds,
    jti: deterministicUuid('ssf-set', request.deliveryId, event),
    txn: request.actionId,
    sub_id: { format: 'opaque', id: request.agentId },
    events: { [CAEP_EVENT_TYPE_URIS[event]]: payload },
  };
}

/** Signs with ES256 (an EC P-256 key) or RS256 (an RSA key, as the CAEP Interoperability Profile 1.0 §2.6 asks). */
export function signSecurityEvent(claims: JWTPayload, privateKey: KeyObject, kid: string, alg: 'ES256' | 'RS256' = 'ES256'): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg, typ: SET_TYPE, kid }).sign(privateKey);
}
