import { MigrationInterface, QueryRunner } from 'typeorm';

import { assertSqlIdentifier } from '@agentgov/persistence';

/**
 * Which content a row's hash covers. Rows written before the services shared this library keep the content they
 * were hashed with, so upgrading never breaks a chain that held: 1 = the provisioner's first rows (no reason), 2 =
 * containment's first rows (no actor type, no cause). Every row written now is 3.
 */
export const AUDIT_FORMAT = { provisionerV1: 1, containmentV1: 2, current: 3 } as const;
export type AuditFormat = (typeof AUDIT_FORMAT)[keyof typeof AUDIT_FORMAT];

/** The audit table of a service that starts with this library (the review-scheduler). */
export function auditTableUpSql(schema: string): string[] {
  const s = assertSqlIdentifier(schema);
  return [
    `CREATE TABLE IF NOT EXISTS "${s}"."audit_log" (
      "seq" bigserial PRIMARY KEY,
      "at" timestamptz NOT NULL,
      "actor_type" text CHECK ("actor_type" IN ('api', 'event', 'system')),
      "actor" text,
      "cause_event_id" text,
      "action" text NOT NULL,
      "subject_type" text NOT NULL,
      "subject_id" text NOT NULL,
      "reason" text,
      "details" jsonb NOT NULL DEFAULT '{}',
      "format" smallint NOT NULL DEFAULT ${AUDIT_FORMAT.current},
      -- Tamper evidence: each row's hash covers its content and the previous row's hash.
      "prev_hash" text NOT NULL,
      "hash" text NOT NULL,
      CHECK ("format" = ${AUDIT_FORMAT.containmentV1} OR "actor_type" IS NOT NULL)
    )`,
    `CREATE INDEX IF NOT EXISTS "audit_log_subject_idx" ON "${s}"."audit_log" ("subject_type", "subject_id", "seq")`,
    `CREATE INDEX IF NOT EXISTS "audit_log_cause_idx" ON "${s}"."audit_log" ("cause_event_id")`,
  ];
}

export function auditTableDownSql(schema: string): string[] {
  return [`DROP TABLE IF EXISTS "${assertSqlIdentifier(schema)}"."audit_log"`];
}

/**
 * Brings a table created before this library to the shared shape, keeping every existing row and its hash: the
 * rows already there are marked with the format they were hashed in, and new rows are written in the current one.
 */
export function unifyAuditTableUpSql(schema: string, legacy: 'provisioner' | 'containment'): string[] {
  const t = `"${assertSqlIdentifier(schema)}"."audit_log"`;
  if (legacy === 'provisioner') {
    return [
      `ALTER TABLE ${t} ADD COLUMN "reason" text, ADD COLUMN "format" smallint NOT NULL DEFAULT ${AUDIT_FORMAT.provisionerV1}`,
      `ALTER TABLE ${t} ALTER COLUMN "format" SET DEFAULT ${AUDIT_FORMAT.current}`,
    ];
  }
  return [
    `ALTER TABLE ${t} RENAME COLUMN "id" TO "seq"`,
    `ALTER TABLE ${t} ADD COLUMN "actor_type" text CHECK ("actor_type" IN ('api', 'event', 'system')), ADD COLUMN "cause_event_id" text,
       ADD COLUMN "format" smallint NOT NULL DEFAULT ${AUDIT_FORMAT.containmentV1}`,
    `ALTER TABLE ${t} ALTER COLUMN "format" SET DEFAULT ${AUDIT_FORMAT.current}, ALTER COLUMN "actor" DROP NOT NULL`,
    `ALTER TABLE ${t} ADD CONSTRAINT "audit_log_actor_type_required" CHECK ("format" = ${AUDIT_FORMAT.containmentV1} OR "actor_type" IS NOT NULL)`,
    `CREATE INDEX IF NOT EXISTS "audit_log_cause_idx" ON ${t} ("cause_event_id")`,
  ];
}

export function unifyAuditTableDownSql(schema: string, legacy: 'provisioner' | 'containment'): string[] {
  const t = `"${assertSqlIdentifier(schema)}"."audit_log"`;
  if (legacy === 'provisioner') return [`ALTER TABLE ${t} DROP COLUMN "format", DROP COLUMN "reason"`];
  return [
    `DROP INDEX IF EXISTS "${assertSqlIdentifier(schema)}"."audit_log_cause_idx"`,
    `ALTER TABLE ${t} DROP CONSTRAINT "audit_log_actor_type_required"`,
    `ALTER TABLE ${t} DROP COLUMN "format", DROP COLUMN "cause_event_id", DROP COLUMN "actor_type"`,
    `ALTER TABLE ${t} RENAME COLUMN "seq" TO "id"`,
  ];
}

/**
 * The migration that brings a service's first audit table to the shared shape (see unifyAuditTableUpSql). Built by a
 * factory because it is the same in the two services that had one; the class name carries TypeORM's timestamp.
 */
export function unifyAuditTableMigration(schema: string, legacy: 'provisioner' | 'containment', timestamp: number): new () => MigrationInterface {
  const name = `SharedAuditTrail${timestamp}`;
  const migration = class implements MigrationInterface {
    name = name;

    async up(queryRunner: QueryRunner): Promise<void> {
      for (const sql of unifyAuditTableUpSql(schema, legacy)) await queryRunner.query(sql);
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      for (const sql of unifyAuditTableDownSql(schema, legacy)) await queryRunner.query(sql);
    }
  };
  Object.defineProperty(migration, 'name', { value: name });
  return migration;
}
