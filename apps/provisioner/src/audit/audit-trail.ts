import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

import { Cause } from '../common/cause';
import { AuditEntry, GENESIS_HASH, chainHash } from './audit-chain';

const ROWS_PER_STATEMENT = 1000;

export interface AuditRow extends AuditEntry {
  seq: string;
  prevHash: string;
  hash: string;
}

export interface ChainVerification {
  ok: boolean;
  rowsChecked: number;
  /** The first row whose stored hash does not match its content and predecessor. */
  brokenAtSeq?: string;
}

export function auditActor(cause: Cause): Pick<AuditEntry, 'actorType' | 'actor' | 'causeEventId'> {
  return { actorType: cause.type, actor: cause.actor, causeEventId: cause.eventId };
}

/**
 * Append-only audit records in a hash chain. Appends take a transaction-scoped advisory lock, so the chain
 * stays linear even with several replicas writing; the rows commit (or vanish) with the change they record.
 */
@Injectable()
export class AuditTrail {
  constructor(private readonly dataSource: DataSource) {}

  async append(tx: EntityManager, entries: AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('provisioner.audit_log'))`);
    const [last] = await tx.query(`SELECT "hash" FROM "provisioner"."audit_log" ORDER BY "seq" DESC LIMIT 1`);
    let prev: string = last?.hash ?? GENESIS_HASH;
    for (let start = 0; start < entries.length; start += ROWS_PER_STATEMENT) {
      const chunk = entries.slice(start, start + ROWS_PER_STATEMENT);
      const params: unknown[] = [];
      const rows = chunk.map((entry, i) => {
        const hash = chainHash(prev, entry);
        params.push(
          entry.at,
          entry.actorType,
          entry.actor ?? null,
          entry.causeEventId ?? null,
          entry.action,
          entry.subjectType,
          entry.subjectId,
          JSON.stringify(entry.details ?? {}),
          prev,
          hash,
        );
        prev = hash;
        const b = i * 10;
        return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6}, $${b + 7}, $${b + 8}::jsonb, $${b + 9}, $${b + 10})`;
      });
      await tx.query(
        `INSERT INTO "provisioner"."audit_log"
           ("at", "actor_type", "actor", "cause_event_id", "action", "subject_type", "subject_id", "details", "prev_hash", "hash")
         VALUES ${rows.join(', ')}`,
        params,
      );
    }
  }

  async find(filter: { subjectId?: string; causeEventId?: string; limit: number; afterSeq?: string }): Promise<AuditRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.subjectId) where.push(`"subject_id" = $${params.push(filter.subjectId)}`);
    if (filter.causeEventId) where.push(`"cause_event_id" = $${params.push(filter.causeEventId)}`);
    if (filter.afterSeq) where.push(`"seq" > $${params.push(filter.afterSeq)}`);
    const rows = await this.dataSource.query(
      `SELECT * FROM "provisioner"."audit_log" ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY "seq" LIMIT $${params.push(filter.limit)}`,
      params,
    );
    return rows.map(toAuditRow);
  }

  /** Recomputes the whole chain, in pages, and reports the first row that does not match. */
  async verify(pageSize = 5000): Promise<ChainVerification> {
    let prev = GENESIS_HASH;
    let afterSeq = '0';
    let rowsChecked = 0;
    for (;;) {
      const rows = (await this.dataSource.query(`SELECT * FROM "provisioner"."audit_log" WHERE "seq" > $1 ORDER BY "seq" LIMIT $2`, [
        afterSeq,
        pageSize,
      ])) as Record<string, unknown>[];
      if (rows.length === 0) return { ok: true, rowsChecked };
      for (const raw of rows) {
        const row = toAuditRow(raw);
        if (row.prevHash !== prev || chainHash(prev, row) !== row.hash) return { ok: false, rowsChecked, brokenAtSeq: row.seq };
        prev = row.hash;
        rowsChecked += 1;
        afterSeq = row.seq;
      }
    }
  }
}

function toAuditRow(raw: Record<string, any>): AuditRow {
  return {
    seq: String(raw.seq),
    at: new Date(raw.at),
    actorType: raw.actor_type,
    actor: raw.actor ?? undefined,
    causeEventId: raw.cause_event_id ?? undefined,
    action: raw.action,
    subjectType: raw.subject_type,
    subjectId: raw.subject_id,
    details: raw.details,
    prevHash: raw.prev_hash,
    hash: raw.hash,
  };
}
