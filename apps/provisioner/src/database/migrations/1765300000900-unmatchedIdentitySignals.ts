import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Identity lifecycle signals (an Okta event, a Shared Signals SET) that named no owner, or several: kept, not
 * dropped, until an owner or an identity link makes them match one (then applied), an admin resolves them, or they
 * expire. The names they carry are kept normalised beside the raw candidates so an owner's change finds them.
 */
export class UnmatchedIdentitySignals1765300000900 implements MigrationInterface {
  name = 'UnmatchedIdentitySignals1765300000900';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "provisioner"."unmatched_identity_signals" (
        "id" uuid PRIMARY KEY,
        "source" text NOT NULL,
        "signal_ref" text NOT NULL,
        "sender" text NOT NULL,
        "kind" text NOT NULL,
        "reason" text,
        "occurred_at" timestamptz NOT NULL,
        "received_at" timestamptz NOT NULL DEFAULT now(),
        "candidates" jsonb NOT NULL,
        "emails" text[] NOT NULL DEFAULT '{}',
        "phones" text[] NOT NULL DEFAULT '{}',
        "external_ids" text[] NOT NULL DEFAULT '{}',
        "outcome" text NOT NULL CHECK ("outcome" IN ('unmatched', 'ambiguous')),
        "candidate_owner_ids" text[] NOT NULL DEFAULT '{}',
        "status" text NOT NULL DEFAULT 'pending' CHECK ("status" IN ('pending', 'applied', 'dismissed')),
        "resolved_at" timestamptz,
        "resolved_by" text,
        "resolved_owner_id" text,
        "resolved_event_id" uuid,
        "resolution_note" text,
        UNIQUE ("source", "signal_ref")
      )`);
    await queryRunner.query(
      `CREATE INDEX "unmatched_identity_signals_pending" ON "provisioner"."unmatched_identity_signals" ("received_at") WHERE "status" = 'pending'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "provisioner"."unmatched_identity_signals"`);
  }
}
