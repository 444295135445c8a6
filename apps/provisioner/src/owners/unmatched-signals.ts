import { randomUUID } from 'node:crypto';

import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

import { AuditChain } from '@agentgov/audit-trail';
import { SERVICE_ENV } from '@agentgov/service-runtime';
import { getMeter } from '@agentgov/telemetry';

import { auditActor, Cause } from '../common/cause';
import type { ProvisionerEnv } from '../config/provisioner.env';
import { IdentityLifecycleEvent, LifecycleReporter } from './lifecycle-reporter';
import { normalizePhone, SCIM_USERNAME_SOURCE } from './owner';
import { OwnerMatch, OwnerMatcher } from './owner-matching';
import { OwnerError } from './owners.errors';
import { OwnerSubject } from './owners.repository';
import { ReportIds } from './report-ids';

const SIGNALS = '"provisioner"."unmatched_identity_signals"';

/** A lifecycle signal whose subject named no owner, or several (OwnerMatcher), as an adapter hands it over. */
export interface UnmatchedSignalInput {
  /** The adapter: `okta`, `ssf`. */
  source: string;
  /** The sender's own id for the signal (an Okta event uuid, a SET's jti and event type): a redelivery is one signal. */
  signalRef: string;
  /** Who sent it, for the audit trail (`okta-event-hook`, `ssf:<issuer>`). */
  sender: string;
  kind: IdentityLifecycleEvent['kind'];
  reason?: string;
  occurredAt: Date;
  candidates: readonly OwnerSubject[];
  match: Exclude<OwnerMatch, { outcome: 'matched' }>;
}

export interface UnmatchedSignal {
  id: string;
  source: string;
  sender: string;
  kind: IdentityLifecycleEvent['kind'];
  reason: string | null;
  occurredAt: Date;
  receivedAt: Date;
  candidates: OwnerSubject[];
  outcome: 'unmatched' | 'ambiguous';
  candidateOwnerIds: string[];
  status: 'pending' | 'applied' | 'dismissed';
  /** A pending signal past the retention is no longer applied automatically (it stays listed). */
  expired: boolean;
  resolvedAt: Date | null;
  resolvedBy: string | null;
  resolvedOwnerId: string | null;
  resolvedEventId: string | null;
  resolutionNote: string | null;
}

/**
 * Identity lifecycle signals that matched no owner, or several, are kept instead of dropped: an orphaned agent is
 * the failure this product exists to prevent, and an IdP often tells of a termination before anyone links the
 * person here. Each is audited and counted (`identity_signals_unmatched_total`, alert AgentgovIdentitySignalUnmatched),
 * listed by GET /identity-signals, and applied as soon as an owner is registered, or an identity linked or an
 * email set, that makes it match exactly one owner (in the same transaction as that change), or when an admin
 * names the owner. Signals older than IDENTITY_SIGNAL_RETENTION_DAYS are no longer applied on their own: a
 * rehire registered months later under the same email must not inherit a leaver's termination.
 */
@Injectable()
export class UnmatchedSignals {
  private readonly logger = new Logger('UnmatchedSignals');
  private readonly unmatchedCounter = getMeter('provisioner').createCounter('identity_signals_unmatched_total', {
    description: 'Identity lifecycle signals that matched no owner (outcome unmatched) or several (ambiguous), by source',
  });
  private readonly appliedCounter = getMeter('provisioner').createCounter('identity_signals_applied_total', {
    description: 'Kept identity signals applied later (an owner or link made them match, or an admin named the owner), by source',
  });
  private readonly retentionMs: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly matcher: OwnerMatcher,
    private readonly reporter: LifecycleReporter,
    private readonly reportIds: ReportIds,
    private readonly audit: AuditChain,
    @Inject(SERVICE_ENV) env: ProvisionerEnv,
  ) {
    this.retentionMs = env.IDENTITY_SIGNAL_RETENTION_DAYS * 86_400_000;
  }

  /** Keeps a signal (once per source and signal ref), audits and counts it. Returns its id. */
  async record(input: UnmatchedSignalInput): Promise<{ id: string; duplicate: boolean }> {
    return this.dataSource.transaction(async (tx) => {
      const id = randomUUID();
      const names = namesIn(input.candidates);
      const inserted: Array<{ id: string }> = await tx.query(
        `INSERT INTO ${SIGNALS} ("id", "source", "signal_ref", "sender", "kind", "reason", "occurred_at", "candidates", "emails", "phones",
           "external_ids", "outcome", "candidate_owner_ids")
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11, $12, $13)
         ON CONFLICT ("source", "signal_ref") DO NOTHING RETURNING "id"`,
        [
          id,
          input.source,
          input.signalRef.slice(0, 1000),
          input.sender.slice(0, 300),
          input.kind,
          input.reason?.slice(0, 1000) ?? null,
          input.occurredAt,
          JSON.stringify(input.candidates),
          names.emails,
          names.phones,
          names.externalIds,
          input.match.outcome,
          input.match.outcome === 'ambiguous' ? input.match.ownerIds : [],
        ],
      );
      if (inserted.length === 0) {
        const [existing] = await tx.query(`SELECT "id" FROM ${SIGNALS} WHERE "source" = $1 AND "signal_ref" = $2`, [
          input.source,
          input.signalRef.slice(0, 1000),
        ]);
        return { id: existing.id as string, duplicate: true };
      }
      await this.audit.append(tx, [
        {
          at: new Date(),
          actorType: 'api',
          actor: input.sender.slice(0, 300),
          action: 'identity-signal.unmatched',
          subjectType: 'identity-signal',
          subjectId: id,
          details: {
            source: input.source,
            kind: input.kind,
            occurredAt: input.occurredAt.toISOString(),
            outcome: input.match.outcome,
            ...(input.match.outcome === 'ambiguous' ? { candidateOwnerIds: input.match.ownerIds } : {}),
          },
        },
      ]);
      this.unmatchedCounter.add(1, { source: input.source, outcome: input.match.outcome });
      this.logger.warn(`${input.kind} from ${input.source} (${input.match.outcome}) kept as unmatched identity signal ${id}`);
      return { id, duplicate: false };
    });
  }

  /**
   * Applies every pending, unexpired signal that now names exactly this owner (after the owner was registered, an
   * identity linked or an email or phone set), in the caller's transaction. Returns the ids of the reports made.
   */
  async applyPendingFor(tx: EntityManager, ownerId: string, cause: Cause): Promise<string[]> {
    const [owner] = await tx.query(`SELECT "email", "phone" FROM "provisioner"."owners" WHERE "id" = $1`, [ownerId]);
    if (!owner) return [];
    const identities: Array<{ source: string; external_id: string }> = await tx.query(
      `SELECT "source", "external_id" FROM "provisioner"."owner_identities" WHERE "owner_id" = $1`,
      [ownerId],
    );
    // The addresses an email signal names this owner by: its email and its SCIM userName (OwnerMatcher, rule 3).
    const addresses = [owner.email, ...identities.filter((i) => i.source === SCIM_USERNAME_SOURCE).map((i) => i.external_id)]
      .filter((a): a is string => typeof a === 'string' && a.length > 0)
      .map((a) => a.toLowerCase());
    const rows: SignalRow[] = await tx.query(
      `SELECT * FROM ${SIGNALS}
       WHERE "status" = 'pending' AND "received_at" > $5
         AND ("emails" && $2::text[] OR "phones" && $3::text[] OR "external_ids" && $4::text[] OR $1 = ANY("candidate_owner_ids"))
       ORDER BY "occurred_at" FOR UPDATE SKIP LOCKED`,
      [
        ownerId,
        addresses,
        owner.phone ? [normalizePhone(owner.phone)] : [],
        identities.map((i) => identityKey(i.source, i.external_id)),
        new Date(Date.now() - this.retentionMs),
      ],
    );
    const reported: string[] = [];
    for (const row of rows) {
      const match = await this.matcher.match({ candidates: row.candidates }, tx);
      if (match.outcome !== 'matched' || match.owner.id !== ownerId) continue;
      reported.push(await this.apply(tx, toSignal(row, this.retentionMs), ownerId, cause, `now matched by ${Object.keys(match.by).join('+')}`));
    }
    return reported;
  }

  /** An admin names the owner a signal meant (an ambiguous one, or one no link will ever match). */
  async resolve(id: string, ownerId: string, cause: Cause, note: string): Promise<UnmatchedSignal> {
    return this.dataSource.transaction(async (tx) => {
      const signal = await this.lockPending(tx, id);
      const [owner] = await tx.query(`SELECT "id" FROM "provisioner"."owners" WHERE "id" = $1`, [ownerId]);
      if (!owner) throw OwnerError.notFound(ownerId);
      await this.apply(tx, signal, ownerId, cause, note);
      return this.getIn(tx, id);
    });
  }

  async dismiss(id: string, cause: Cause, note: string): Promise<UnmatchedSignal> {
    return this.dataSource.transaction(async (tx) => {
      await this.lockPending(tx, id);
      await tx.query(`UPDATE ${SIGNALS} SET "status" = 'dismissed', "resolved_at" = now(), "resolved_by" = $2, "resolution_note" = $3 WHERE "id" = $1`, [
        id,
        cause.actor ?? cause.type,
        note,
      ]);
      await this.audit.append(tx, [
        { at: new Date(), ...auditActor(cause), action: 'identity-signal.dismissed', subjectType: 'identity-signal', subjectId: id, details: { note } },
      ]);
      return this.getIn(tx, id);
    });
  }

  async list(filter: { status?: UnmatchedSignal['status']; limit: number; before?: Date }): Promise<UnmatchedSignal[]> {
    const params: unknown[] = [];
    const where: string[] = [];
    if (filter.status) where.push(`"status" = $${params.push(filter.status)}`);
    if (filter.before) where.push(`"received_at" < $${params.push(filter.before)}`);
    const rows: SignalRow[] = await this.dataSource.query(
      `SELECT * FROM ${SIGNALS} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY "received_at" DESC, "id" LIMIT $${params.push(filter.limit)}`,
      params,
    );
    return rows.map((r) => toSignal(r, this.retentionMs));
  }

  get(id: string): Promise<UnmatchedSignal> {
    return this.getIn(this.dataSource.manager, id);
  }

  private async getIn(manager: EntityManager, id: string): Promise<UnmatchedSignal> {
    const [row] = await manager.query(`SELECT * FROM ${SIGNALS} WHERE "id" = $1`, [id]);
    if (!row) throw OwnerError.signalNotFound(id);
    return toSignal(row, this.retentionMs);
  }

  private async lockPending(tx: EntityManager, id: string): Promise<UnmatchedSignal> {
    const [row] = await tx.query(`SELECT * FROM ${SIGNALS} WHERE "id" = $1 FOR UPDATE`, [id]);
    if (!row) throw OwnerError.signalNotFound(id);
    if (row.status !== 'pending') throw OwnerError.signalResolved(id, row.status);
    return toSignal(row, this.retentionMs);
  }

  /** Reports the signal for the owner (the lifecycle consumer applies it in event-time order) and marks it applied. */
  private async apply(tx: EntityManager, signal: UnmatchedSignal, ownerId: string, cause: Cause, note: string): Promise<string> {
    const outcome = await this.reporter.report(
      {
        eventId: this.reportIds.of('unmatched-identity-signal', signal.id, ownerId),
        data: {
          kind: signal.kind,
          ownerId,
          source: signal.source,
          occurredAt: signal.occurredAt.toISOString(),
          ...(signal.reason ? { reason: signal.reason } : {}),
        },
        actor: { actorType: 'api', actor: signal.sender },
        details: { unmatchedSignalId: signal.id, receivedAt: signal.receivedAt.toISOString(), appliedBecause: note },
      },
      tx,
    );
    await tx.query(
      `UPDATE ${SIGNALS} SET "status" = 'applied', "resolved_at" = now(), "resolved_by" = $2, "resolved_owner_id" = $3, "resolved_event_id" = $4,
         "resolution_note" = $5 WHERE "id" = $1`,
      [signal.id, cause.actor ?? cause.type, ownerId, outcome.eventId, note.slice(0, 1000)],
    );
    await this.audit.append(tx, [
      {
        at: new Date(),
        ...auditActor(cause),
        action: 'identity-signal.applied',
        subjectType: 'identity-signal',
        subjectId: signal.id,
        details: { ownerId, eventId: outcome.eventId, kind: signal.kind, note },
      },
    ]);
    this.appliedCounter.add(1, { source: signal.source });
    this.logger.log(`unmatched identity signal ${signal.id} (${signal.kind}) applied to owner ${ownerId}: ${note}`);
    return outcome.eventId;
  }
}

interface SignalRow {
  id: string;
  source: string;
  sender: string;
  kind: IdentityLifecycleEvent['kind'];
  reason: string | null;
  occurred_at: Date;
  received_at: Date;
  candidates: OwnerSubject[];
  outcome: 'unmatched' | 'ambiguous';
  candidate_owner_ids: string[];
  status: UnmatchedSignal['status'];
  resolved_at: Date | null;
  resolved_by: string | null;
  resolved_owner_id: string | null;
  resolved_event_id: string | null;
  resolution_note: string | null;
}

function toSignal(row: SignalRow, retentionMs: number): UnmatchedSignal {
  return {
    id: row.id,
    source: row.source,
    sender: row.sender,
    kind: row.kind,
    reason: row.reason,
    occurredAt: new Date(row.occurred_at),
    receivedAt: new Date(row.received_at),
    candidates: row.candidates,
    outcome: row.outcome,
    candidateOwnerIds: row.candidate_owner_ids,
    status: row.status,
    expired: row.status === 'pending' && Date.now() - new Date(row.received_at).getTime() >= retentionMs,
    resolvedAt: row.resolved_at ? new Date(row.resolved_at) : null,
    resolvedBy: row.resolved_by,
    resolvedOwnerId: row.resolved_owner_id,
    resolvedEventId: row.resolved_event_id,
    resolutionNote: row.resolution_note,
  };
}

/** A linked identity as one text (unit separator between source and id: Postgres text cannot hold NUL). */
function identityKey(source: string, externalId: string): string {
  return `${source}\u001f${externalId}`;
}

/** The names a signal carries, in the normal form owners are compared in (emails without case, phones E.164-ish). */
function namesIn(candidates: readonly OwnerSubject[]): { emails: string[]; phones: string[]; externalIds: string[] } {
  const emails = new Set<string>();
  const phones = new Set<string>();
  const externalIds = new Set<string>();
  for (const c of candidates) {
    if ('email' in c && c.email.trim()) emails.add(c.email.trim().toLowerCase());
    else if ('phone' in c && normalizePhone(c.phone)) phones.add(normalizePhone(c.phone));
    else if ('externalId' in c) externalIds.add(identityKey(c.source, c.externalId));
  }
  return { emails: [...emails], phones: [...phones], externalIds: [...externalIds] };
}
