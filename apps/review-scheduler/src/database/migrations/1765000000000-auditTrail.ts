import { MigrationInterface, QueryRunner } from 'typeorm';

import { auditTableDownSql, auditTableUpSql } from '@agentgov/audit-trail';

/** The audit trail every service that records decisions keeps: reviews opened, moved and decided, campaigns started. */
export class AuditTrail1765000000000 implements MigrationInterface {
  name = 'AuditTrail1765000000000';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of auditTableUpSql('review_scheduler')) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const sql of auditTableDownSql('review_scheduler')) await q.query(sql);
  }
}
