import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

import { PgNotificationListener, returnedRows } from '@agentgov/persistence';
import { ConnectorOutcome } from '@agentgov/revocation-connectors';
import { SERVICE_ENV } from '@agentgov/service-runtime';

import { CONTAINMENT_SERVICE_NAME, ContainmentEnv } from '../config/containment.env';
import { CONTAINMENT_SCHEMA } from '../database/containment.database';
import { currentDeliveryTraceContext, DeliveryTraceContext } from './delivery-trace-context';
import { nextRetryDelayMs } from './retry-schedule';

/** NOTIFY'd whenever a delivery is queued, so the dispatcher claims it at once. */
export const DELIVERIES_CHANNEL = 'containment_deliveries';

/** Target of the delivery that forwards an alert to ALERT_WEBHOOK_URL (not a connector name: those have no '@'). */
export const ALERT_WEBHOOK_TARGET = '@alert-webhook';

const DELIVERIES = `"${CONTAINMENT_SCHEMA}"."deliveries"`;
const ACTIONS = `"${CONTAINMENT_SCHEMA}"."actions"`;

export interface ClaimedDelivery {
  id: string;
  action_id: string | null;
  target: string;
  payload: unknown;
  attempts: number;
  alerted: boolean;
  /** The trace the delivery was decided in; its call's span is a child of it. */
  trace_context: DeliveryTraceContext | null;
}

/** A delivery as the incident's alert shows it: the receipt of one connector for one action. */
export interface ReceiptRow {
  action_id: string;
  target: string;
  status: 'pending' | 'sent' | 'confirmed' | 'failed' | 'retrying' | 'superseded';
  reason: string | null;
  updated_at: Date;
}

export type Settled = 'sent' | 'confirmed' | 'failed' | 'retrying' | 'superseded';

export interface ActionDeliveries {
  actionId: string;
  agentId: string;
  kind: string;
  incidentId?: string;
  /** One delivery per target (connector name). */
  targets: string[];
  /** Per target: why no call is needed (the receipt is written as confirmed), or null for a call to make. */
  settled: (string | null)[];
  at: Date;
}

/**
 * The deliveries table as a leased work queue: a delivery (one connector call, or an alert forward) is queued in
 * the transaction that decided it, with a NOTIFY; a worker claims due ones with a lease, so replicas share the
 * work and a crashed one's claims are taken over when the lease ends; the result is its receipt, recorded only
 * while the claim is still the worker's (the attempt number fences it), and a retry is rescheduled with backoff.
 */
@Injectable()
export class DeliveryQueue {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(SERVICE_ENV) private readonly env: ContainmentEnv,
  ) {}

  /**
   * One delivery per target of the action, in the caller's transaction; the calls are made after commit. Earlier
   * actions' deliveries for the same agent and target that are still waiting (not in a call right now) are
   * superseded: the latest decision is what each system must end up with, and a stale release must never re-enable
   * an agent after a later containment (one in a call now finishes first: see claim()).
   */
  async enqueueAction(tx: EntityManager, deliveries: ActionDeliveries): Promise<void> {
    await tx.query(
      `UPDATE ${DELIVERIES} d SET "status" = 'superseded', "reason" = $4, "updated_at" = $5, "payload" = NULL
       FROM ${ACTIONS} a
       WHERE d."action_id" = a."id" AND a."agent_id" = $1 AND a."id" <> $2 AND d."target" = ANY($3::text[])
         AND d."status" IN ('pending', 'retrying') AND (d."lease_until" IS NULL OR d."lease_until" < now())`,
      [deliveries.agentId, deliveries.actionId, deliveries.targets, `superseded by a later ${deliveries.kind} (action ${deliveries.actionId})`, deliveries.at],
    );
    // The calls are made after commit, outside this trace: each delivery keeps it, and its call's span joins it.
    await tx.query(
      `INSERT INTO ${DELIVERIES} ("action_id", "incident_id", "target", "status", "reason", "created_at", "updated_at", "next_attempt_at", "trace_context")
       SELECT $1, $2, t.target, CASE WHEN t.settled IS NULL THEN 'pending' ELSE 'confirmed' END, t.settled, $4, $4, $4, $6::jsonb
       FROM unnest($3::text[], $5::text[]) AS t(target, settled)`,
      [deliveries.actionId, deliveries.incidentId ?? null, deliveries.targets, deliveries.at, deliveries.settled, currentDeliveryTraceContext()],
    );
    await this.notify(tx);
  }

  /** The incident's alert, to forward to ALERT_WEBHOOK_URL after commit. */
  async enqueueAlert(tx: EntityManager, incidentId: string, alert: unknown): Promise<void> {
    await tx.query(`INSERT INTO ${DELIVERIES} ("incident_id", "target", "payload", "status", "trace_context") VALUES ($1, $2, $3, 'pending', $4::jsonb)`, [
      incidentId,
      ALERT_WEBHOOK_TARGET,
      alert,
      currentDeliveryTraceContext(),
    ]);
    await this.notify(tx);
  }

  /** A listener (not started) that calls `onWake` when deliveries are queued, and when notifications may have been missed. */
  listener(onWake: () => void, onError: (error: Error) => void): PgNotificationListener {
    return new PgNotificationListener({
      connectionString: this.env.DATABASE_URL,
      channel: DELIVERIES_CHANNEL,
      applicationName: `${CONTAINMENT_SERVICE_NAME}-deliveries`,
      onNotification: onWake,
      onGap: onWake,
      onError,
    });
  }

  /**
   * Claims up to `limit` due deliveries with a lease of DELIVERY_LEASE_MS, counting the attempt. Revocations before
   * alert forwards (a slow SIEM must not hold up a logout), then by due time. Never one of `exclude` (calls the
   * worker is still making, even if their lease ran out), and only calls to `targets` (the ones the worker has): in
   * a rolling deployment that adds a connector, the replicas that do not know it yet leave its calls to the ones
   * that do.
   */
  async claim(limit: number, { exclude, targets }: { exclude: string[]; targets: string[] }): Promise<ClaimedDelivery[]> {
    const result = await this.dataSource.query(
      `WITH due AS (
         SELECT q."id" FROM ${DELIVERIES} q
         WHERE q."status" IN ('pending', 'retrying') AND q."next_attempt_at" <= now() AND (q."lease_until" IS NULL OR q."lease_until" < now())
           AND NOT (q."id" = ANY($3::bigint[])) AND q."target" = ANY($5::text[])
           -- One call at a time per agent and system, in decision order: an earlier action's call still being made
           -- (it was in flight when this one was decided) finishes first.
           AND NOT EXISTS (
             SELECT 1 FROM ${ACTIONS} na JOIN ${ACTIONS} oa ON oa."agent_id" = na."agent_id" AND oa."sequence" < na."sequence"
             JOIN ${DELIVERIES} o ON o."action_id" = oa."id" AND o."target" = q."target" AND o."status" IN ('pending', 'retrying')
             WHERE na."id" = q."action_id")
         ORDER BY (q."target" = $4), q."next_attempt_at", q."id" LIMIT $1 FOR UPDATE OF q SKIP LOCKED)
       UPDATE ${DELIVERIES} d SET "lease_until" = now() + $2 * interval '1 millisecond', "attempts" = d."attempts" + 1
       FROM due WHERE d."id" = due."id"
       RETURNING d."id", d."action_id", d."target", d."payload", d."attempts", d."alerted", d."trace_context"`,
      [limit, this.env.DELIVERY_LEASE_MS, exclude, ALERT_WEBHOOK_TARGET, targets],
    );
    return returnedRows<ClaimedDelivery>(result);
  }

  /** Hands claimed deliveries back at once (lease ended, attempt uncounted) rather than after the lease. */
  async release(claimed: ClaimedDelivery[]): Promise<void> {
    await this.dataSource.query(`UPDATE ${DELIVERIES} SET "lease_until" = NULL, "attempts" = "attempts" - 1 WHERE "id" = ANY($1::bigint[])`, [
      claimed.map((d) => d.id),
    ]);
  }

  /**
   * Records the outcome as the receipt: sent or confirmed; retrying, rescheduled on the retry schedule (never sooner
   * than the receiver's Retry-After) while attempts remain; or failed. Undefined when the claim was lost meanwhile
   * (another instance took over).
   */
  async settle(tx: EntityManager, delivery: ClaimedDelivery, outcome: ConnectorOutcome): Promise<Settled | undefined> {
    let status: Settled;
    let reason: string | null;
    let nextAttemptAt: Date | null = null;
    if (outcome.status === 'confirmed' || outcome.status === 'sent') {
      status = outcome.status;
      reason = outcome.detail ?? null;
    } else if (outcome.status === 'retry' && delivery.action_id !== null && (await this.laterActionTargets(tx, delivery.action_id, delivery.target))) {
      // A later action for the same agent now has a delivery to this system: retrying this one could undo it.
      status = 'superseded';
      reason = `superseded by a later action while retrying: ${outcome.reason}`;
    } else if (outcome.status === 'retry' && delivery.attempts < this.env.DELIVERY_MAX_ATTEMPTS) {
      status = 'retrying';
      reason = outcome.reason;
      const delay = nextRetryDelayMs(
        { baseMs: this.env.DELIVERY_RETRY_BASE_MS, maxMs: this.env.DELIVERY_RETRY_MAX_MS },
        delivery.attempts,
        outcome.retryAfterMs,
      );
      nextAttemptAt = new Date(Date.now() + delay);
    } else {
      status = 'failed';
      reason = outcome.status === 'retry' ? `gave up after ${delivery.attempts} attempts: ${outcome.reason}` : outcome.reason;
    }
    const rows = await tx.query(
      // A forwarded alert's copy is dropped once it is delivered or given up: the topic keeps the alert.
      `UPDATE ${DELIVERIES} SET "status" = $3, "reason" = $4, "next_attempt_at" = COALESCE($5, "next_attempt_at"), "lease_until" = NULL, "updated_at" = clock_timestamp(),
         "payload" = CASE WHEN $3 IN ('retrying') THEN "payload" ELSE NULL END
       WHERE "id" = $1 AND "attempts" = $2 AND "status" IN ('pending', 'retrying') RETURNING "id"`,
      [delivery.id, delivery.attempts, status, reason?.slice(0, 1000) ?? null, nextAttemptAt],
    );
    return returnedRows(rows).length === 1 ? status : undefined;
  }

  /** Whether a later action for the same agent has a delivery to this target. */
  private async laterActionTargets(tx: EntityManager, actionId: string, target: string): Promise<boolean> {
    const rows = await tx.query(
      `SELECT 1 FROM ${ACTIONS} oa JOIN ${ACTIONS} na ON na."agent_id" = oa."agent_id" AND na."sequence" > oa."sequence"
       JOIN ${DELIVERIES} n ON n."action_id" = na."id" AND n."target" = $2
       WHERE oa."id" = $1 LIMIT 1`,
      [actionId, target],
    );
    return rows.length > 0;
  }

  /** Due again now (a confirmed call that has more left to do goes round again). */
  async dueNow(tx: EntityManager, deliveryId: string): Promise<void> {
    await tx.query(`UPDATE ${DELIVERIES} SET "status" = 'retrying', "next_attempt_at" = now() WHERE "id" = $1`, [deliveryId]);
  }

  /** The SOC has been told about this delivery's failures. */
  async markAlerted(tx: EntityManager, deliveryId: string): Promise<void> {
    await tx.query(`UPDATE ${DELIVERIES} SET "alerted" = true WHERE "id" = $1`, [deliveryId]);
  }

  /** How many of the action's deliveries have no final receipt yet. */
  async openCount(tx: EntityManager, actionId: string): Promise<number> {
    const [{ open }] = await tx.query(`SELECT count(*)::int AS open FROM ${DELIVERIES} WHERE "action_id" = $1 AND "status" IN ('pending', 'retrying')`, [
      actionId,
    ]);
    return open;
  }

  async attachIncident(tx: EntityManager, actionId: string, incidentId: string): Promise<void> {
    await tx.query(`UPDATE ${DELIVERIES} SET "incident_id" = $2 WHERE "action_id" = $1`, [actionId, incidentId]);
  }

  /** The receipts of these actions, by target. */
  async receiptsOf(manager: EntityManager, actionIds: string[]): Promise<ReceiptRow[]> {
    return manager.query(`SELECT "action_id", "target", "status", "reason", "updated_at" FROM ${DELIVERIES} WHERE "action_id" = ANY($1) ORDER BY "target"`, [
      actionIds,
    ]);
  }

  private async notify(tx: EntityManager): Promise<void> {
    await tx.query(`SELECT pg_notify($1, '')`, [DELIVERIES_CHANNEL]);
  }
}
