/** Who made a recorded change: a caller of the HTTP API, a consumed event, or the service on its own (a timer). */
export type AuditActorType = 'api' | 'event' | 'system';

/** One recorded decision, in the same shape in every service. */
export interface AuditEntry {
  at: Date;
  actorType: AuditActorType;
  /** The caller's subject (user or client id), the event's source, a policy version, or the job's name. */
  actor?: string;
  /** The event (ce_id) or request that caused the change, to find every row one cause wrote. */
  causeEventId?: string;
  action: string;
  /** What changed: an agent, an owner, an incident, a policy, a review, a signing key... */
  subjectType: string;
  subjectId: string;
  /** Why, in the words of the person who decided (an analyst's or reviewer's reason). */
  reason?: string;
  details?: Record<string, unknown>;
}

/** An entry as stored: its place in the service's chain and the two hashes that link it. */
export interface AuditRow extends AuditEntry {
  seq: string;
  prevHash: string;
  hash: string;
}

/** The one answer every service gives to "does my audit trail still hold?". */
export interface ChainVerification {
  ok: boolean;
  rowsChecked: number;
  /** The first row, in chain order, whose hash does not match its content and predecessor. */
  brokenAtSeq?: string;
  why?: string;
}

export interface AuditQuery {
  subjectType?: string;
  subjectId?: string;
  causeEventId?: string;
  /** Rows after this seq (paging, oldest first). */
  afterSeq?: string;
  limit: number;
}
