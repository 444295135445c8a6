import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

import { returnedRows } from '@agentgov/persistence';
import { StreamEvent, StreamStatus } from '@agentgov/revocation-connectors';

import { CONTAINMENT_SCHEMA } from '../database/containment.database';
import { DeliveryMethod, StoredStream } from './stream-config';

const STREAMS = `"${CONTAINMENT_SCHEMA}"."ssf_streams"`;
const EVENTS = `"${CONTAINMENT_SCHEMA}"."ssf_stream_events"`;
const PUSH = 'urn:ietf:rfc:8935';

/** NOTIFY'd whenever stream events are queued or a stream is resumed, so the push dispatcher sends at once. */
export const SSF_EVENTS_CHANNEL = 'containment_ssf_events';

interface StreamRow {
  id: string;
  receiver: string;
  audience: string;
  delivery_method: DeliveryMethod;
  endpoint_url: string | null;
  authorization_header_sealed: string | null;
  events_requested: string[] | null;
  events_delivered: string[];
  description: string | null;
  status: StreamStatus;
  status_reason: string | null;
  last_verification_at: Date | null;
}

export interface StreamRecord extends StoredStream {
  authorizationHeaderSealed?: string;
}

export interface NewStream {
  id: string;
  receiver: string;
  audience: string;
  deliveryMethod: DeliveryMethod;
  endpointUrl?: string;
  authorizationHeaderSealed?: string;
  eventsRequested?: string[];
  eventsDelivered: string[];
  description?: string;
}

/** A stream event claimed for a push attempt, with what the attempt needs of its stream. */
export interface ClaimedStreamEvent {
  id: string;
  stream_id: string;
  jti: string;
  event: StreamEvent;
  attempts: number;
  audience: string;
  endpoint_url: string;
  authorization_header_sealed: string | null;
}

export interface QueuedStreamEvent {
  streamId: string;
  jti: string;
  event: StreamEvent;
}

function toRecord(row: StreamRow): StreamRecord {
  return {
    id: row.id,
    receiver: row.receiver,
    audience: row.audience,
    deliveryMethod: row.delivery_method,
    ...(row.endpoint_url ? { endpointUrl: row.endpoint_url } : {}),
    ...(row.events_requested ? { eventsRequested: row.events_requested } : {}),
    eventsDelivered: row.events_delivered,
    ...(row.description ? { description: row.description } : {}),
    status: row.status,
    ...(row.status_reason ? { statusReason: row.status_reason } : {}),
    hasAuthorizationHeader: row.authorization_header_sealed !== null,
    ...(row.authorization_header_sealed ? { authorizationHeaderSealed: row.authorization_header_sealed } : {}),
  };
}

/**
 * The event streams of containment's Shared Signals transmitter and their undelivered events. Every stream query
 * is scoped to the receiver that owns it: another receiver's stream is not found.
 */
@Injectable()
export class SsfStreamsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async countOf(receiver: string): Promise<number> {
    const [{ n }] = await this.dataSource.query(`SELECT count(*)::int AS n FROM ${STREAMS} WHERE "receiver" = $1`, [receiver]);
    return n;
  }

  async insert(tx: EntityManager, stream: NewStream): Promise<StreamRecord> {
    const rows = await tx.query(
      `INSERT INTO ${STREAMS} ("id", "receiver", "audience", "delivery_method", "endpoint_url", "authorization_header_sealed", "events_requested", "events_delivered", "description")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
      [
        stream.id,
        stream.receiver,
        stream.audience,
        stream.deliveryMethod,
        stream.endpointUrl ?? null,
        stream.authorizationHeaderSealed ?? null,
        stream.eventsRequested ?? null,
        stream.eventsDelivered,
        stream.description ?? null,
      ],
    );
    return toRecord(rows[0]);
  }

  async find(manager: EntityManager, id: string, receiver: string, forUpdate = false): Promise<StreamRecord | undefined> {
    const rows: StreamRow[] = await manager.query(`SELECT * FROM ${STREAMS} WHERE "id" = $1 AND "receiver" = $2${forUpdate ? ' FOR UPDATE' : ''}`, [
      id,
      receiver,
    ]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  async list(receiver: string): Promise<StreamRecord[]> {
    const rows: StreamRow[] = await this.dataSource.query(`SELECT * FROM ${STREAMS} WHERE "receiver" = $1 ORDER BY "created_at", "id"`, [receiver]);
    return rows.map(toRecord);
  }

  /** Replaces the Receiver-Supplied configuration (and what follows from it). */
  async replaceConfiguration(tx: EntityManager, stream: NewStream): Promise<StreamRecord> {
    const rows = await tx.query(
      `UPDATE ${STREAMS} SET "delivery_method" = $3, "endpoint_url" = $4, "authorization_header_sealed" = $5, "events_requested" = $6,
         "events_delivered" = $7, "description" = $8, "updated_at" = now()
       WHERE "id" = $1 AND "receiver" = $2 RETURNING *`,
      [
        stream.id,
        stream.receiver,
        stream.deliveryMethod,
        stream.endpointUrl ?? null,
        stream.authorizationHeaderSealed ?? null,
        stream.eventsRequested ?? null,
        stream.eventsDelivered,
        stream.description ?? null,
      ],
    );
    return toRecord(returnedRows<StreamRow>(rows)[0]);
  }

  /** Its undelivered events go with it. */
  async delete(tx: EntityManager, id: string, receiver: string): Promise<boolean> {
    const rows = await tx.query(`DELETE FROM ${STREAMS} WHERE "id" = $1 AND "receiver" = $2 RETURNING "id"`, [id, receiver]);
    return returnedRows(rows).length === 1;
  }

  async setStatus(tx: EntityManager, id: string, status: StreamStatus, reason: string | undefined): Promise<void> {
    await tx.query(`UPDATE ${STREAMS} SET "status" = $2, "status_reason" = $3, "updated_at" = now() WHERE "id" = $1`, [id, status, reason ?? null]);
  }

  /**
   * Records a verification request unless the last one was less than `minIntervalSeconds` ago (one statement, so two
   * concurrent requests cannot both pass).
   */
  async markVerificationRequested(tx: EntityManager, id: string, minIntervalSeconds: number): Promise<boolean> {
    const rows = await tx.query(
      `UPDATE ${STREAMS} SET "last_verification_at" = now()
       WHERE "id" = $1 AND ("last_verification_at" IS NULL OR "last_verification_at" <= now() - $2 * interval '1 second') RETURNING "id"`,
      [id, minIntervalSeconds],
    );
    return returnedRows(rows).length === 1;
  }

  /** The streams an event of this type goes to now: every stream not disabled whose events_delivered has it. */
  async streamsReceiving(tx: EntityManager, eventTypes: string[]): Promise<Array<{ id: string; events_delivered: string[] }>> {
    return tx.query(`SELECT "id", "events_delivered" FROM ${STREAMS} WHERE "status" <> 'disabled' AND "events_delivered" && $1::text[]`, [eventTypes]);
  }

  /** Queues events in the caller's transaction; one already queued (same stream and jti) is not queued twice. */
  async enqueue(tx: EntityManager, events: QueuedStreamEvent[]): Promise<void> {
    if (events.length === 0) return;
    await tx.query(
      `INSERT INTO ${EVENTS} ("stream_id", "jti", "event")
       SELECT t.stream_id, t.jti, t.event::jsonb FROM unnest($1::text[], $2::text[], $3::text[]) AS t(stream_id, jti, event)
       ON CONFLICT ("stream_id", "jti") DO NOTHING`,
      [events.map((e) => e.streamId), events.map((e) => e.jti), events.map((e) => JSON.stringify(e.event))],
    );
    await this.notify(tx);
  }

  /** SSF 1.0 §8.1.2: a disabled stream holds nothing for later. */
  async dropOpenEvents(tx: EntityManager, streamId: string): Promise<void> {
    await tx.query(`DELETE FROM ${EVENTS} WHERE "stream_id" = $1 AND "status" IN ('pending', 'retrying')`, [streamId]);
  }

  async notify(manager: EntityManager): Promise<void> {
    await manager.query(`SELECT pg_notify($1, '')`, [SSF_EVENTS_CHANNEL]);
  }

  /**
   * Claims the next due event of enabled push streams, at most one per stream and only the oldest open one of its
   * stream (events reach a receiver in the order they were decided, SSF 1.0 §8.1.2: a held event's successors wait
   * for it), with a lease; the attempt is counted. Two replicas never claim the same event.
   */
  async claimPush(limit: number, leaseMs: number, exclude: string[]): Promise<ClaimedStreamEvent[]> {
    const result = await this.dataSource.query(
      `WITH heads AS (
         SELECT DISTINCT ON (e."stream_id") e."id", e."next_attempt_at", e."lease_until"
         FROM ${EVENTS} e JOIN ${STREAMS} s ON s."id" = e."stream_id"
         WHERE e."status" IN ('pending', 'retrying') AND s."status" = 'enabled' AND s."delivery_method" = $4
         ORDER BY e."stream_id", e."id"),
       due AS (
         SELECT h."id" FROM heads h
         WHERE h."next_attempt_at" <= now() AND (h."lease_until" IS NULL OR h."lease_until" < now()) AND NOT (h."id" = ANY($3::bigint[]))
         ORDER BY h."next_attempt_at" LIMIT $1)
       UPDATE ${EVENTS} e SET "lease_until" = now() + $2 * interval '1 millisecond', "attempts" = e."attempts" + 1, "updated_at" = now()
       FROM due, ${STREAMS} s
       WHERE e."id" = due."id" AND s."id" = e."stream_id" AND e."status" IN ('pending', 'retrying') AND (e."lease_until" IS NULL OR e."lease_until" < now())
       RETURNING e."id", e."stream_id", e."jti", e."event", e."attempts", s."audience", s."endpoint_url", s."authorization_header_sealed"`,
      [limit, leaseMs, exclude, PUSH],
    );
    return returnedRows<ClaimedStreamEvent>(result);
  }

  /** The receiver accepted it: gone. False when the claim was lost meanwhile (the attempt number fences it). */
  async delivered(event: ClaimedStreamEvent): Promise<boolean> {
    const rows = await this.dataSource.query(`DELETE FROM ${EVENTS} WHERE "id" = $1 AND "attempts" = $2 RETURNING "id"`, [event.id, event.attempts]);
    return returnedRows(rows).length === 1;
  }

  async retryLater(event: ClaimedStreamEvent, reason: string, nextAttemptAt: Date): Promise<void> {
    await this.dataSource.query(
      `UPDATE ${EVENTS} SET "status" = 'retrying', "reason" = $3, "next_attempt_at" = $4, "lease_until" = NULL, "updated_at" = now()
       WHERE "id" = $1 AND "attempts" = $2`,
      [event.id, event.attempts, reason.slice(0, 1000), nextAttemptAt],
    );
  }

  /** Given up, or refused by the receiver (RFC 8935 §2.3): kept with the reason, no longer sent. */
  async failed(event: ClaimedStreamEvent, reason: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE ${EVENTS} SET "status" = 'failed', "reason" = $3, "lease_until" = NULL, "updated_at" = now() WHERE "id" = $1 AND "attempts" = $2`,
      [event.id, event.attempts, reason.slice(0, 1000)],
    );
  }

  /** RFC 8936 §2.4: acknowledged SETs are delivered; they are never returned again. */
  async acknowledge(tx: EntityManager, streamId: string, jtis: string[]): Promise<number> {
    if (jtis.length === 0) return 0;
    const rows = await tx.query(`DELETE FROM ${EVENTS} WHERE "stream_id" = $1 AND "jti" = ANY($2::text[]) RETURNING "id"`, [streamId, jtis]);
    return returnedRows(rows).length;
  }

  /** RFC 8936 §2.4.4: SETs the receiver reported in error are not returned again; the error is kept with them. */
  async refused(tx: EntityManager, streamId: string, errors: Array<{ jti: string; reason: string }>): Promise<void> {
    if (errors.length === 0) return;
    await tx.query(
      `UPDATE ${EVENTS} e SET "status" = 'refused', "reason" = t.reason, "updated_at" = now()
       FROM unnest($2::text[], $3::text[]) AS t(jti, reason)
       WHERE e."stream_id" = $1 AND e."jti" = t.jti AND e."status" IN ('pending', 'retrying')`,
      [streamId, errors.map((e) => e.jti), errors.map((e) => e.reason.slice(0, 1000))],
    );
  }

  /** Forgets events failed or refused longer ago than `days`: their reason was there to be seen meanwhile. */
  async purgeSettled(days: number): Promise<void> {
    await this.dataSource.query(`DELETE FROM ${EVENTS} WHERE "status" IN ('failed', 'refused') AND "updated_at" < now() - $1 * interval '1 day'`, [days]);
  }

  /** The oldest open events of a poll stream, up to `limit`. */
  async openEvents(manager: EntityManager, streamId: string, limit: number): Promise<Array<{ jti: string; event: StreamEvent }>> {
    return manager.query(`SELECT "jti", "event" FROM ${EVENTS} WHERE "stream_id" = $1 AND "status" IN ('pending', 'retrying') ORDER BY "id" LIMIT $2`, [
      streamId,
      limit,
    ]);
  }
}
