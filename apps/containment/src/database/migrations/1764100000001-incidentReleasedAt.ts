import { MigrationInterface, QueryRunner } from 'typeorm';

/** When an analyst released the incident: the post-release cooldown runs from then, not from the last change. */
export class IncidentReleasedAt1764100000001 implements MigrationInterface {
  name = 'IncidentReleasedAt1764100000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "containment"."incidents" ADD COLUMN "released_at" timestamptz`);
    await q.query(`CREATE INDEX "actions_agent_origin" ON "containment"."actions" ("agent_id", "origin", "created_at" DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "containment"."actions_agent_origin"`);
    await q.query(`ALTER TABLE "containment"."incidents" DROP COLUMN "released_at"`);
  }
}
