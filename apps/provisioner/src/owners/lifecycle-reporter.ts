import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

import { AuditChain, AuditEntry } from '@agentgov/audit-trail';
import { OWNER_STATUS_AFTER, OwnerStatus, TopicPayloads, Topics } from '@agentgov/contracts';
import { OutboxWriter } from '@agentgov/messaging';

import { Owner } from './owner';

export type IdentityLifecycleEvent = TopicPayloads['identity.lifecycle.v1'];

export const LIFECYCLE_REPORTED_ACTION = 'owner.lifecycle-reported';

// Namespace of the advisory locks that serialize reports of one event id (the audit chain uses hashtext of its table).
const REPORT_LOCK_NAMESPACE = 7_1001;

export interface LifecycleReport {
  data: IdentityLifecycleEvent;
  /** The ce_id: deterministic for deliveries that may be repeated. */
  eventId: string;
  actor: Pick<AuditEntry, 'actorType' | 'actor'>;
  /** Extra audit details: how the sender named the owner, the sender's own event id. */
  details?: Record<string, unknown>;
}

export interface ExpectedStatus {
  /** The owner's status once every report already made has been applied. */
  status: OwnerStatus;
  /** Changes whenever that expectation changes; part of deterministic ids of requests that state a desired status. */
  version: string;
}

export interface ReportOutcome {
  eventId: string;
  /** True when this event id was reported before: nothing was written this time. */
  duplicate: boolean;
}

interface LatestReport {
  subject_id?: string;
  seq: string;
  kind: string;
  occurred_at: string;
}

/** The latest reported status change when it is newer (in event time) than the status last applied, else the status. */
function expectation(owner: Pick<Owner, 'status' | 'statusChangedAt'>, latest: LatestReport | undefined): ExpectedStatus {
  const appliedAt = owner.statusChangedAt?.getTime() ?? Number.NEGATIVE_INFINITY;
  const reported = latest ? OWNER_STATUS_AFTER[latest.kind as IdentityLifecycleEvent['kind']] : undefined;
  if (latest && reported && new Date(latest.occurred_at).getTime() > appliedAt) {
    return { status: reported, version: `reported:${latest.seq}` };
  }
  return { status: owner.status, version: `applied:${owner.status}:${owner.statusChangedAt?.toISOString() ?? 'never'}` };
}

/**
 * The one way the owners API and the ingest adapters announce a lifecycle change: an identity.lifecycle.v1
 * event in the outbox, and an audit row naming who reported it, in one transaction. They never change the
 * owner's status themselves; the lifecycle consumer does, in event-time order. A repeated report (same
 * event id) writes nothing, even after the first has left the outbox.
 */
@Injectable()
export class LifecycleReporter {
  private readonly logger = new Logger('LifecycleReporter');

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly audit: AuditChain,
  ) {}

  report(report: LifecycleReport, tx?: EntityManager): Promise<ReportOutcome> {
    return tx ? this.reportIn(tx, report) : this.dataSource.transaction((t) => this.reportIn(t, report));
  }

  /**
   * The status the owner will have once the reports already made are applied: the latest reported status
   * change when it is newer (in event time) than the status the consumer last applied, else the status.
   * Senders that state a desired status (SCIM) compare against this, so a retry or a repeat before the
   * consumer caught up reports nothing twice. Call it inside a transaction that holds the owner's row lock.
   */
  async expectedStatus(tx: EntityManager, owner: Pick<Owner, 'id' | 'status' | 'statusChangedAt'>): Promise<ExpectedStatus> {
    const [latest] = await tx.query(
      `SELECT "seq", "details"->>'kind' AS "kind", "details"->>'occurredAt' AS "occurred_at" FROM "provisioner"."audit_log"
       WHERE "subject_type" = 'owner' AND "subject_id" = $1 AND "action" = $2 AND "details"->>'kind' <> 'owner.transferred'
       ORDER BY "seq" DESC LIMIT 1`,
      [owner.id, LIFECYCLE_REPORTED_ACTION],
    );
    return expectation(owner, latest);
  }

  /**
   * expectedStatus of several owners in one query (SCIM lists show each user's `active` as its clients asked).
   * Without the row locks: what a reader sees, not a basis for reporting.
   */
  async expectedStatuses(
    manager: EntityManager,
    owners: ReadonlyArray<Pick<Owner, 'id' | 'status' | 'statusChangedAt'>>,
  ): Promise<Map<string, ExpectedStatus>> {
    const latest: LatestReport[] = owners.length
      ? await manager.query(
          `SELECT DISTINCT ON ("subject_id") "subject_id", "seq", "details"->>'kind' AS "kind", "details"->>'occurredAt' AS "occurred_at"
           FROM "provisioner"."audit_log"
           WHERE "subject_type" = 'owner' AND "subject_id" = ANY($1::text[]) AND "action" = $2 AND "details"->>'kind' <> 'owner.transferred'
           ORDER BY "subject_id", "seq" DESC`,
          [owners.map((o) => o.id), LIFECYCLE_REPORTED_ACTION],
        )
      : [];
    const bySubject = new Map(latest.map((row) => [row.subject_id as string, row]));
    return new Map(owners.map((owner) => [owner.id, expectation(owner, bySubject.get(owner.id))]));
  }

  private async reportIn(tx: EntityManager, report: LifecycleReport): Promise<ReportOutcome> {
    const { data, eventId } = report;
    await tx.query(`SELECT pg_advisory_xact_lock($1, hashtext($2))`, [REPORT_LOCK_NAMESPACE, eventId]);
    const [seen] = await tx.query(
      `SELECT 1 FROM "provisioner"."audit_log" WHERE "cause_event_id" = $1 AND "action" = $2 AND "subject_type" = 'owner' LIMIT 1`,
      [eventId, LIFECYCLE_REPORTED_ACTION],
    );
    if (seen) {
      this.logger.log(`${data.kind} for owner ${data.ownerId} from ${data.source} already reported as ${eventId}; ignored`);
      return { eventId, duplicate: true };
    }
    // Whoever consumes the event learns who the owner's manager is (the review-scheduler asks them to review
    // the agents of an owner who is gone): the registry knows it, the HR event rarely says.
    const [owner] = await tx.query(`SELECT "manager_id" FROM "provisioner"."owners" WHERE "id" = $1`, [data.ownerId]);
    const withManager = owner?.manager_id && !data.managerId ? { ...data, managerId: owner.manager_id } : data;
    await this.outbox.append(tx, [{ topic: Topics.IdentityLifecycle, data: withManager, id: eventId }]);
    await this.audit.append(tx, [
      {
        at: new Date(),
        ...report.actor,
        causeEventId: eventId,
        action: LIFECYCLE_REPORTED_ACTION,
        subjectType: 'owner',
        subjectId: data.ownerId,
        details: { ...data, ...(report.details ?? {}) },
      },
    ]);
    this.logger.log(`${data.kind} for owner ${data.ownerId} from ${data.source} reported as ${eventId}`);
    return { eventId, duplicate: false };
  }
}
