import { AuditRecord } from '../common/audit-trail';
import { actorWords, HistoryRow, whyOf } from '../common/history';
import { formatWhen } from '../common/time-words';
import { RegistryAgent } from './agent-types';

const list = (value: unknown) => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

/** What an agent's audit record says happened, in plain words; undefined for the token traffic the history leaves out. */
export function agentEventWords(record: Pick<AuditRecord, 'action' | 'details'>): string | undefined {
  const details = record.details ?? {};
  switch (record.action) {
    case 'agent.registered':
      return 'Registered';
    case 'agent.updated':
      return 'Details changed';
    case 'agent.scopes-changed': {
      const before = list(details['previousScopes']);
      return `Scopes changed (before: ${before.length ? before.join(', ') : 'none'})`;
    }
    case 'agent.owner-changed':
      return `Handed to owner ${String(details['newOwnerId'] ?? 'another owner')}`;
    case 'agent.suspended':
      return 'Suspended';
    case 'agent.reactivated':
      return 'Reactivated';
    case 'agent.deprovisioned':
      return 'Deprovisioned';
    case 'agent.tokens-revoked':
      return 'Every token revoked';
    case 'agent.secret-rotated':
      return 'Client secret rotated';
    case 'agent.certified':
      return 'Certified in an access review';
    case 'agent.delegation-granted':
      return `Allowed agent ${String(details['delegateId'] ?? '')} to act for it`;
    case 'agent.delegation-withdrawn':
      return `Withdrew agent ${String(details['delegateId'] ?? '')}'s right to act for it`;
    case 'agent.token-revoked':
    case 'agent.token-exchanged':
      return undefined;
    default:
      return record.action.replace(/^agent\./, '').replace(/-/g, ' ');
  }
}

/** The agent's status history, newest first: every recorded change but the token traffic (which the token state sums up). */
export function agentHistory(audit: readonly AuditRecord[]): HistoryRow[] {
  return audit
    .map((record) => ({ record, what: agentEventWords(record) }))
    .filter((row): row is { record: AuditRecord; what: string } => row.what !== undefined)
    .map(({ record, what }) => ({ seq: record.seq, at: record.at, who: actorWords(record), what, why: whyOf(record) }))
    .reverse();
}

export interface TokenState {
  /** The agent's client secret: set at registration or by the last rotation. */
  credential: { since: string; how: 'registered' | 'rotated'; by?: string };
  /** The last moment at which every token issued before it stopped being accepted, and what did it. */
  cutOff?: { at: string; what: string; by: string };
  /** Single tokens the agent revoked itself (RFC 7009). */
  singleRevocations: { count: number; last?: string };
  /** Tokens it obtained by token exchange (acting for another agent, or one acting for it). */
  exchanges: { count: number; last?: string };
  /** Where its tokens stand, in one sentence. */
  summary: string;
}

const CUTS_OFF: Record<string, string> = {
  'agent.tokens-revoked': 'every token revoked',
  'agent.suspended': 'suspended',
  'agent.deprovisioned': 'deprovisioned',
};

/**
 * Where the agent's tokens stand, from what the registry and its audit trail say (introspection is for resource
 * servers, and the issuer does not record each token it issues): its credential's age, the last revoke-all (a
 * suspension and a deprovisioning revoke every token too), its own revocations and its token exchanges.
 */
export function tokenState(
  agent: Pick<RegistryAgent, 'status' | 'createdAt' | 'createdBy' | 'expiresAt'>,
  audit: readonly AuditRecord[],
  context: { now: number; inactiveParent?: string },
): TokenState {
  const last = (action: string) => [...audit].reverse().find((r) => r.action === action);
  const rotated = last('agent.secret-rotated');
  const credential = rotated
    ? { since: rotated.at, how: 'rotated' as const, by: actorWords(rotated) }
    : { since: agent.createdAt, how: 'registered' as const, by: agent.createdBy };
  const cut = [...audit].reverse().find((r) => r.action in CUTS_OFF);
  const cutOff = cut ? { at: cut.at, what: CUTS_OFF[cut.action], by: actorWords(cut) } : undefined;
  const revoked = audit.filter((r) => r.action === 'agent.token-revoked');
  const exchanged = audit.filter((r) => r.action === 'agent.token-exchanged');
  return {
    credential,
    cutOff,
    singleRevocations: { count: revoked.length, last: revoked[revoked.length - 1]?.at },
    exchanges: { count: exchanged.length, last: exchanged[exchanged.length - 1]?.at },
    summary: tokenSummary(agent, cutOff, context),
  };
}

/**
 * Where the agent's tokens stand, in one sentence: from the registry alone when the audit trail is not known (the
 * person's roles do not show it, or it could not be read), with the last cut-off when it is.
 */
export function tokenSummary(
  agent: Pick<RegistryAgent, 'status' | 'expiresAt'>,
  cutOff: TokenState['cutOff'] | 'not-known',
  { now, inactiveParent }: { now: number; inactiveParent?: string },
): string {
  if (agent.status === 'deprovisioned') return 'Deprovisioned: none of its tokens is accepted, and it gets no new one.';
  if (agent.status === 'suspended') return 'Suspended: none of its tokens is accepted, and it gets no new one, until it is reactivated.';
  if (agent.expiresAt && Date.parse(agent.expiresAt) <= now) return 'Expired: none of its tokens is accepted, and it gets no new one.';
  // The issuer checks the whole delegation chain: a sub-agent gets no token while a parent is not active.
  if (inactiveParent) return `Its parent ${inactiveParent} is not active, so it gets no new token.`;
  if (cutOff === 'not-known') return 'Active: it gets tokens, each accepted until it expires or is revoked.';
  if (cutOff)
    return `Active: every token issued before ${formatWhen(cutOff.at)} was cut off (${cutOff.what}); tokens issued since are accepted until they expire.`;
  return 'Active: no revocation of all its tokens is recorded, so its tokens are accepted until they expire.';
}
