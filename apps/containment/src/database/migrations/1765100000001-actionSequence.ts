import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Actions are numbered in the order they are decided (a webhook receiver applies one only if it is newer than the
 * last it applied for the agent), and a delivery an action made pointless is `superseded`: a release still waiting
 * for a retry must never re-enable an agent after a later containment reached the same system.
 */
export class ActionSequence1765100000001 implements MigrationInterface {
  name = 'ActionSequence1765100000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE SEQUENCE "containment"."action_sequence"`);
    // Existing actions are numbered in the order they were decided.
    await queryRunner.query(`ALTER TABLE "containment"."actions" ADD COLUMN "sequence" bigint`);
    await queryRunner.query(
      `UPDATE "containment"."actions" a SET "sequence" = n.s FROM (SELECT "id", nextval('"containment"."action_sequence"') AS s FROM "containment"."actions" ORDER BY "created_at", "id") n WHERE a."id" = n."id"`,
    );
    await queryRunner.query(
      `ALTER TABLE "containment"."actions" ALTER COLUMN "sequence" SET DEFAULT nextval('"containment"."action_sequence"'), ALTER COLUMN "sequence" SET NOT NULL`,
    );
    await queryRunner.query(`CREATE INDEX "actions_agent_sequence" ON "containment"."actions" ("agent_id", "sequence")`);
    await queryRunner.query(
      `ALTER TABLE "containment"."deliveries" DROP CONSTRAINT "deliveries_status_check",
         ADD CONSTRAINT "deliveries_status_check" CHECK ("status" IN ('pending', 'sent', 'confirmed', 'failed', 'retrying', 'superseded'))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`UPDATE "containment"."deliveries" SET "status" = 'failed' WHERE "status" = 'superseded'`);
    await queryRunner.query(
      `ALTER TABLE "containment"."deliveries" DROP CONSTRAINT "deliveries_status_check",
         ADD CONSTRAINT "deliveries_status_check" CHECK ("status" IN ('pending', 'sent', 'confirmed', 'failed', 'retrying'))`,
    );
    await queryRunner.query(`DROP INDEX "containment"."actions_agent_sequence"`);
    await queryRunner.query(`ALTER TABLE "containment"."actions" DROP COLUMN "sequence"`);
    await queryRunner.query(`DROP SEQUENCE "containment"."action_sequence"`);
  }
}
