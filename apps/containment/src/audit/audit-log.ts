import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { firstBrokenLink, GENESIS_HASH, linkHash } from '@agentgov/hash-chain';

import { CONTAINMENT_SCHEMA } from '../database/containment.database';

export interface AuditRecord {
  at: Date;
  /** The analyst's or admin's user id (the token's subject), or `system`/`policy` for automatic changes. */
  actor: string;
  action: string;
  subjectType: 'incident' | 'agent' | 'owner' | 'policy';
  subjectId: string;
  /** Why, as the analyst gave it. */
  reason?: string;
  details?: Record<string, unknown>;
}

interface AuditRow {
  id: string;
  at: Date;
  actor: string;
  action: string;
  subject_type: AuditRecord['subjectType'];
  subject_id: string;
  reason: string | null;
  details: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

const TABLE = `"${CONTAINMENT_SCHEMA}"."audit_log"`;
// One chain for the whole service: appends are serialised by this transaction-scoped advisory lock.
const CHAIN_LOCK = 'containment.audit_log';

function content(r: AuditRecord) {
  return {
    at: r.at.toISOString(),
    actor: r.actor,
    action: r.action,
    subjectType: r.subjectType,
    subjectId: r.subjectId,
    reason: r.reason ?? null,
    details: r.details ?? {},
  };
}

/** Who did what to which incident, agent or policy, and why: a tamper-evident chain in the service's schema. */
@Injectable()
export class AuditLog {
  async append(tx: EntityManager, record: AuditRecord): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [CHAIN_LOCK]);
    const [last] = await tx.query(`SELECT "hash" FROM ${TABLE} ORDER BY "id" DESC LIMIT 1`);
    const prevHash: string = last?.hash ?? GENESIS_HASH;
    await tx.query(
      `INSERT INTO ${TABLE} ("at", "actor", "action", "subject_type", "subject_id", "reason", "details", "prev_hash", "hash")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [record.at, record.actor, record.action, record.subjectType, record.subjectId, record.reason ?? null, record.details ?? {}, prevHash, linkHash(prevHash, content(record))],
    );
  }

  async ofSubject(manager: EntityManager, subjectType: AuditRecord['subjectType'], subjectId: string): Promise<(AuditRecord & { id: string })[]> {
    const rows: AuditRow[] = await manager.query(`SELECT * FROM ${TABLE} WHERE "subject_type" = $1 AND "subject_id" = $2 ORDER BY "id"`, [subjectType, subjectId]);
    return rows.map((r) => ({ id: r.id, ...recordOf(r) }));
  }

  /** Reads the whole chain in order and reports the first row that does not verify. */
  async verify(manager: EntityManager): Promise<{ rows: number; brokenAt?: { id: string; why: string } }> {
    const rows: AuditRow[] = await manager.query(`SELECT * FROM ${TABLE} ORDER BY "id"`);
    const broken = firstBrokenLink(rows.map((r) => ({ prevHash: r.prev_hash, hash: r.hash, content: content(recordOf(r)) })));
    return broken ? { rows: rows.length, brokenAt: { id: rows[broken.index].id, why: broken.why } } : { rows: rows.length };
  }
}

function recordOf(r: AuditRow): AuditRecord {
  return {
    at: new Date(r.at),
    actor: r.actor,
    action: r.action,
    subjectType: r.subject_type,
    subjectId: r.subject_id,
    ...(r.reason !== null ? { reason: r.reason } : {}),
    details: r.details,
  };
}
