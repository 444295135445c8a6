import { MigrationInterface, QueryRunner } from 'typeorm';

import { unifyAuditTableDownSql, unifyAuditTableUpSql } from '@agentgov/audit-trail';

/** The audit log takes the shape every service shares (seq, actor type, cause; rows already written keep their hashes). */
export class SharedAuditTrail1765000000000 implements MigrationInterface {
  name = 'SharedAuditTrail1765000000000';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of unifyAuditTableUpSql('containment', 'containment')) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const sql of unifyAuditTableDownSql('containment', 'containment')) await q.query(sql);
  }
}
