import { MigrationInterface, QueryRunner } from 'typeorm';

/** Platform and purpose of each known agent: a new agent's peers (its cohort) for a cold-start baseline. */
export class KnownAgentCohorts1764000000000 implements MigrationInterface {
  name = 'KnownAgentCohorts1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "behavior_baseliner"."known_agents" ADD COLUMN "platform" text, ADD COLUMN "purpose" text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "behavior_baseliner"."known_agents" DROP COLUMN "platform", DROP COLUMN "purpose"`);
  }
}
