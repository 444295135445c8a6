import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Separation of duties on releases: a release that needs a second analyst is first requested (who, when, why), and
 * an episode remembers when it joined its incident, so a release's judgement covers the episodes the analyst saw
 * and never later ones (episodes from before this migration count as seen).
 */
export class SeparationOfDuties1765100000002 implements MigrationInterface {
  name = 'SeparationOfDuties1765100000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "containment"."incidents" ADD COLUMN "release_requested_by" text, ADD COLUMN "release_requested_at" timestamptz,
         ADD COLUMN "release_request_reason" text`,
    );
    await queryRunner.query(`ALTER TABLE "containment"."incident_episodes" ADD COLUMN "joined_at" timestamptz NOT NULL DEFAULT '-infinity'`);
    await queryRunner.query(`ALTER TABLE "containment"."incident_episodes" ALTER COLUMN "joined_at" SET DEFAULT now()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "containment"."incident_episodes" DROP COLUMN "joined_at"`);
    await queryRunner.query(
      `ALTER TABLE "containment"."incidents" DROP COLUMN "release_requested_by", DROP COLUMN "release_requested_at", DROP COLUMN "release_request_reason"`,
    );
  }
}
