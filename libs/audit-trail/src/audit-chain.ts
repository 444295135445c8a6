import { EntityManager } from 'typeorm';

import { GENESIS_HASH, linkHash } from '@agentgov/hash-chain';
import { assertSqlIdentifier } from '@agentgov/persistence';

import { AuditEntry, AuditQuery, AuditRow, ChainVerification } from './audit-entry';
import { AUDIT_FORMAT, AuditFormat } from './audit-table.sql';

const ROWS_PER_STATEMENT = 1000;
const COLUMNS = 12;

/**
 * A service's audit trail: append-only rows in one hash chain per schema. Appends take a transaction-scoped
 * advisory lock, so the chain stays linear with several replicas writing, and the rows commit (or vanish) with
 * the change they record. Framework-free: callers pass their transaction or manager.
 */
export class AuditChain {
  private readonly table: string;
  private readonly lockKey: string;

  constructor(readonly schema: string) {
    assertSqlIdentifier(schema);
    this.table = `"${schema}"."audit_log"`;
    this.lockKey = `${schema}.audit_log`;
  }

  async append(tx: EntityManager, entries: readonly AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [this.lockKey]);
    const [last] = await tx.query(`SELECT "hash" FROM ${this.table} ORDER BY "seq" DESC LIMIT 1`);
    let prev: string = last?.hash ?? GENESIS_HASH;
    for (let start = 0; start < entries.length; start += ROWS_PER_STATEMENT) {
      const params: unknown[] = [];
      const rows = entries.slice(start, start + ROWS_PER_STATEMENT).map((entry, i) => {
        const hash = linkHash(prev, hashedContent(entry, AUDIT_FORMAT.current));
        params.push(
          entry.at,
          entry.actorType,
          entry.actor ?? null,
          entry.causeEventId ?? null,
          entry.action,
          entry.subjectType,
          entry.subjectId,
          entry.reason ?? null,
          JSON.stringify(entry.details ?? {}),
          AUDIT_FORMAT.current,
          prev,
          hash,
        );
        prev = hash;
        const b = i * COLUMNS;
        return `(${Array.from({ length: COLUMNS }, (_, k) => `$${b + k + 1}${k === 8 ? '::jsonb' : ''}`).join(', ')})`;
      });
      await tx.query(
        `INSERT INTO ${this.table}
           ("at", "actor_type", "actor", "cause_event_id", "action", "subject_type", "subject_id", "reason", "details", "format", "prev_hash", "hash")
         VALUES ${rows.join(', ')}`,
        params,
      );
    }
  }

  /** Rows oldest first, by subject or by cause; page with `afterSeq`. */
  async find(manager: EntityManager, query: AuditQuery): Promise<AuditRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.subjectType) where.push(`"subject_type" = $${params.push(query.subjectType)}`);
    if (query.subjectId) where.push(`"subject_id" = $${params.push(query.subjectId)}`);
    if (query.causeEventId) where.push(`"cause_event_id" = $${params.push(query.causeEventId)}`);
    if (query.afterSeq) where.push(`"seq" > $${params.push(query.afterSeq)}`);
    const rows: Record<string, unknown>[] = await manager.query(
      `SELECT * FROM ${this.table} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY "seq" LIMIT $${params.push(query.limit)}`,
      params,
    );
    return rows.map((raw) => toRow(raw).row);
  }

  /** Recomputes the whole chain in pages and reports the first row that does not hold. */
  async verify(manager: EntityManager, pageSize = 5000): Promise<ChainVerification> {
    let prev = GENESIS_HASH;
    let afterSeq = '0';
    let rowsChecked = 0;
    for (;;) {
      const rows: Record<string, unknown>[] = await manager.query(`SELECT * FROM ${this.table} WHERE "seq" > $1 ORDER BY "seq" LIMIT $2`, [afterSeq, pageSize]);
      if (rows.length === 0) return { ok: true, rowsChecked };
      for (const raw of rows) {
        const { row, format } = toRow(raw);
        if (row.prevHash !== prev) return { ok: false, rowsChecked, brokenAtSeq: row.seq, why: 'prev_hash does not match the previous row' };
        if (linkHash(prev, hashedContent(row, format)) !== row.hash)
          return { ok: false, rowsChecked, brokenAtSeq: row.seq, why: 'hash does not match the row' };
        prev = row.hash;
        rowsChecked += 1;
        afterSeq = row.seq;
      }
    }
  }
}

/** What a row's hash covers, per format (see AUDIT_FORMAT); absent optional values are null, as they were hashed. */
function hashedContent(e: AuditEntry, format: AuditFormat): Record<string, unknown> {
  const common = { at: e.at.toISOString(), action: e.action, subjectType: e.subjectType, subjectId: e.subjectId, details: e.details ?? {} };
  switch (format) {
    case AUDIT_FORMAT.provisionerV1:
      return { ...common, actorType: e.actorType, actor: e.actor ?? null, causeEventId: e.causeEventId ?? null };
    case AUDIT_FORMAT.containmentV1:
      return { ...common, actor: e.actor, reason: e.reason ?? null };
    default:
      return { ...common, actorType: e.actorType, actor: e.actor ?? null, causeEventId: e.causeEventId ?? null, reason: e.reason ?? null };
  }
}

function toRow(raw: Record<string, any>): { row: AuditRow; format: AuditFormat } {
  return {
    format: Number(raw.format) as AuditFormat,
    row: {
      seq: String(raw.seq),
      at: new Date(raw.at),
      actorType: raw.actor_type,
      ...(raw.actor !== null ? { actor: raw.actor } : {}),
      ...(raw.cause_event_id !== null ? { causeEventId: raw.cause_event_id } : {}),
      action: raw.action,
      subjectType: raw.subject_type,
      subjectId: raw.subject_id,
      ...(raw.reason !== null ? { reason: raw.reason } : {}),
      details: raw.details,
      prevHash: raw.prev_hash,
      hash: raw.hash,
    },
  };
}
