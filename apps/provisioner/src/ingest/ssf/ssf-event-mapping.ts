import { IdentityLifecycleEvent } from '../../owners/lifecycle-reporter';
import { isObject } from '../scim/scim-attributes';
import { SsfError } from './ssf.errors';

const RISC = 'https://schemas.openid.net/secevent/risc/event-type/';
const CAEP = 'https://schemas.openid.net/secevent/caep/event-type/';
const SSF = 'https://schemas.openid.net/secevent/ssf/event-type/';

export const SSF_EVENT_TYPES = {
  accountDisabled: `${RISC}account-disabled`,
  accountEnabled: `${RISC}account-enabled`,
  accountPurged: `${RISC}account-purged`,
  sessionsRevoked: `${RISC}sessions-revoked`,
  sessionRevoked: `${CAEP}session-revoked`,
  credentialChange: `${CAEP}credential-change`,
  verification: `${SSF}verification`,
  streamUpdated: `${SSF}stream-updated`,
} as const;

/** Every event type this receiver understands; the ones not mapped below are acknowledged and change nothing. */
export const KNOWN_SSF_EVENT_TYPES: ReadonlySet<string> = new Set([
  ...Object.values(SSF_EVENT_TYPES),
  ...[
    'account-credential-change-required',
    'credential-compromise',
    'identifier-changed',
    'identifier-recycled',
    'opt-in',
    'opt-out-initiated',
    'opt-out-cancelled',
    'opt-out-effective',
    'recovery-activated',
    'recovery-information-changed',
  ].map((t) => RISC + t),
  ...['token-claims-change', 'assurance-level-change', 'device-compliance-change', 'session-established', 'session-presented', 'risk-level-change'].map(
    (t) => CAEP + t,
  ),
]);

export interface SsfPolicy {
  sessionRevoked: 'ignore' | 'suspend';
  credentialChange: 'ignore' | 'suspend';
}

export type SsfEventDecision = { action: 'report'; kind: IdentityLifecycleEvent['kind']; reason: string } | { action: 'ignore'; why: string };

/**
 * What one SET event means for its owner. RISC account-disabled/enabled/purged are account lifecycle;
 * CAEP session-revoked and credential-change are security signals that offboard nobody by default (a
 * credential-change "create" is an enrolment); the policy may make a revocation suspend the owner.
 */
export function decideSsfEvent(eventType: string, event: Record<string, unknown>, policy: SsfPolicy): SsfEventDecision {
  if (!KNOWN_SSF_EVENT_TYPES.has(eventType)) throw new SsfError('invalid_request', `unsupported event type ${eventType.slice(0, 200)}`);
  const name = eventType.slice(eventType.lastIndexOf('/') + 1);
  switch (eventType) {
    case SSF_EVENT_TYPES.accountDisabled:
      return { action: 'report', kind: 'owner.suspended', reason: withReason(`RISC account-disabled`, reasonOf(event)) };
    case SSF_EVENT_TYPES.accountEnabled:
      return { action: 'report', kind: 'owner.reinstated', reason: withReason('RISC account-enabled', reasonOf(event)) };
    case SSF_EVENT_TYPES.accountPurged:
      return { action: 'report', kind: 'owner.terminated', reason: withReason('RISC account-purged', reasonOf(event)) };
    case SSF_EVENT_TYPES.sessionRevoked:
    case SSF_EVENT_TYPES.sessionsRevoked: {
      const what = `${name}${initiatedBy(event)}`;
      return policy.sessionRevoked === 'suspend'
        ? { action: 'report', kind: 'owner.suspended', reason: withReason(what, reasonOf(event)) }
        : { action: 'ignore', why: `${what}: policy ignore` };
    }
    case SSF_EVENT_TYPES.credentialChange: {
      const { changeType, credentialType } = credentialChangeOf(event);
      const what = `credential-change ${changeType} of a ${credentialType} credential${initiatedBy(event)}`;
      // create and update add or renew a credential: never an offboarding, whatever the policy.
      if (changeType !== 'revoke' && changeType !== 'delete') return { action: 'ignore', why: what };
      return policy.credentialChange === 'suspend'
        ? { action: 'report', kind: 'owner.suspended', reason: withReason(what, reasonOf(event)) }
        : { action: 'ignore', why: `${what}: policy ignore` };
    }
    case SSF_EVENT_TYPES.streamUpdated: {
      // SSF 1.0 §8.1.5: the transmitter changed our stream's status on its own (paused or disabled: events may be lost).
      const status = typeof event.status === 'string' ? event.status.slice(0, 20) : 'unknown';
      return {
        action: 'ignore',
        why: withReason(`stream-updated: the transmitter set our stream ${status}`, typeof event.reason === 'string' ? event.reason : undefined),
      };
    }
    default:
      return { action: 'ignore', why: `${name} changes no owner` };
  }
}

/** CAEP 1.0 §3.3 credential-change `change_type`: the CAEP Interoperability Profile §3.2 has receivers interpret every value. */
export const CREDENTIAL_CHANGE_TYPES = ['create', 'revoke', 'update', 'delete'] as const;

/**
 * CAEP 1.0 §3.3 `credential_type` values, named as the reason says them; any other non-empty value is one "supported
 * mutually by the Transmitter and the Receiver" and is kept as sent.
 */
const CREDENTIAL_TYPES: Record<string, string> = {
  password: 'password',
  pin: 'PIN',
  x509: 'X.509 certificate',
  'fido2-platform': 'FIDO2 platform authenticator',
  'fido2-roaming': 'FIDO2 roaming authenticator',
  'fido-u2f': 'FIDO U2F',
  'verifiable-credential': 'verifiable credential',
  'phone-voice': 'phone (voice)',
  'phone-sms': 'phone (SMS)',
  app: 'authenticator app',
};

/** Both members are REQUIRED (CAEP 1.0 §3.3): an event without them, or with a change_type CAEP does not define, is refused. */
function credentialChangeOf(event: Record<string, unknown>): { changeType: (typeof CREDENTIAL_CHANGE_TYPES)[number]; credentialType: string } {
  const changeType = typeof event.change_type === 'string' ? event.change_type.toLowerCase() : undefined;
  if (!changeType || !(CREDENTIAL_CHANGE_TYPES as readonly string[]).includes(changeType)) {
    throw new SsfError('invalid_request', `credential-change needs change_type, one of ${CREDENTIAL_CHANGE_TYPES.join(', ')}`);
  }
  const credentialType = event.credential_type;
  if (typeof credentialType !== 'string' || credentialType.trim() === '' || credentialType.length > 100) {
    throw new SsfError('invalid_request', 'credential-change needs a credential_type');
  }
  return { changeType: changeType as (typeof CREDENTIAL_CHANGE_TYPES)[number], credentialType: CREDENTIAL_TYPES[credentialType] ?? credentialType.trim() };
}

/** CAEP 1.0 §2 `initiating_entity` (admin, user, policy, system), as " (initiated by …)"; absent or unknown, nothing. */
function initiatedBy(event: Record<string, unknown>): string {
  const entity = event.initiating_entity;
  return typeof entity === 'string' && ['admin', 'user', 'policy', 'system'].includes(entity) ? ` (initiated by ${entity})` : '';
}

/** RISC `reason` ("hijacking", "bulk-account"), or CAEP `reason_admin` (a string or {lang: text}, English first). */
function reasonOf(event: Record<string, unknown>): string | undefined {
  if (typeof event.reason === 'string' && event.reason) return event.reason;
  const admin = event.reason_admin;
  if (typeof admin === 'string' && admin) return admin;
  if (isObject(admin)) {
    const text = admin.en ?? Object.values(admin).find((v) => typeof v === 'string');
    if (typeof text === 'string' && text) return text;
  }
  return undefined;
}

function withReason(what: string, reason: string | undefined): string {
  return (reason ? `${what}: ${reason}` : what).slice(0, 1000);
}

/** When the event happened: its event_timestamp (CAEP, SSF), else the SET's iat. */
export function ssfEventTime(event: Record<string, unknown>, iat: number): Date {
  const ts = event.event_timestamp;
  if (ts !== undefined) {
    if (typeof ts !== 'number' || !Number.isFinite(ts) || ts < 0) throw new SsfError('invalid_request', 'event_timestamp must be a NumericDate');
    return new Date(ts * 1000);
  }
  return new Date(iat * 1000);
}
