/** A kept identity signal (GET /identity-signals): one that named no owner, or several. */
export interface IdentitySignal {
  id: string;
  source: string;
  sender: string;
  kind: 'owner.terminated' | 'owner.suspended' | 'owner.reinstated' | 'owner.transferred';
  reason: string | null;
  occurredAt: string;
  receivedAt: string;
  candidates: SignalCandidate[];
  outcome: 'unmatched' | 'ambiguous';
  candidateOwnerIds: string[];
  status: 'pending' | 'applied' | 'dismissed';
  /** Past the retention: no longer applied on its own. */
  expired: boolean;
  resolvedAt: string | null;
  resolvedBy: string | null;
  resolvedOwnerId: string | null;
  resolvedEventId: string | null;
  resolutionNote: string | null;
}

/** A way the sender named the person. */
export type SignalCandidate = { ownerId: string } | { source: string; externalId: string } | { email: string } | { phone: string };

const KINDS: Record<IdentitySignal['kind'], string> = {
  'owner.terminated': 'Termination',
  'owner.suspended': 'Suspension',
  'owner.reinstated': 'Reinstatement',
  'owner.transferred': 'Transfer',
};

/** "Termination of …": what the signal says happened to the person. */
export function signalKindWords(kind: string): string {
  return KINDS[kind as IdentitySignal['kind']] ?? kind;
}

/** How the sender named the person: "email a@b.c", "okta user 00u1". */
export function candidateWords(candidate: SignalCandidate): string {
  if ('ownerId' in candidate) return `owner id ${candidate.ownerId}`;
  if ('email' in candidate) return `email ${candidate.email}`;
  if ('phone' in candidate) return `phone ${candidate.phone}`;
  return `${candidate.source} id ${candidate.externalId}`;
}

/** Why it was kept instead of applied. */
export function outcomeWords(signal: Pick<IdentitySignal, 'outcome' | 'candidateOwnerIds'>): string {
  if (signal.outcome === 'ambiguous') {
    return `It names ${signal.candidateOwnerIds.length} owners (${signal.candidateOwnerIds.join(', ')}): nobody is offboarded on a guess.`;
  }
  return 'It names nobody registered here.';
}

/** Where the signal stands. */
export function signalStatusWords(signal: Pick<IdentitySignal, 'status' | 'expired' | 'resolvedBy' | 'resolvedOwnerId'>): string {
  if (signal.status === 'applied') return `Applied to owner ${signal.resolvedOwnerId ?? '?'}${signal.resolvedBy ? ` by ${signal.resolvedBy}` : ''}`;
  if (signal.status === 'dismissed') return `Dismissed${signal.resolvedBy ? ` by ${signal.resolvedBy}` : ''}`;
  return signal.expired
    ? 'Waiting, and too old to apply itself: an admin resolves or dismisses it'
    : 'Waiting: it applies itself once an owner matches it, or an admin resolves it';
}

/** The refusals of a resolution or dismissal, in the admin's terms. */
export const SIGNAL_REFUSALS = {
  forbidden: 'Identity signals are resolved or dismissed by admins; SOC analysts see them.',
  codes: {
    IDENTITY_SIGNAL_RESOLVED:
      'Someone resolved or dismissed this signal meanwhile (or it applied itself when an owner came to match it). The list shows it as it stands.',
    IDENTITY_SIGNAL_NOT_FOUND: 'There is no such identity signal.',
    OWNER_NOT_FOUND: 'No owner has that id. Give the id of a registered owner (search owners to find it).',
  },
};
