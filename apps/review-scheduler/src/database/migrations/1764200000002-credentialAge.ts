import { MigrationInterface, QueryRunner } from 'typeorm';

/** When each agent's credentials were last set, as agent.lifecycle.v1 reports it: to flag those due for rotation. */
export class CredentialAge1764200000002 implements MigrationInterface {
  name = 'CredentialAge1764200000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "review_scheduler"."agents" ADD COLUMN "credentials_rotated_at" timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "review_scheduler"."agents" DROP COLUMN "credentials_rotated_at"`);
  }
}
