import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The event time of the registry announcement each known agent was last updated from: an older or replayed
 * lifecycle event no longer overwrites a newer one (rows from before have none, and take the next announcement).
 */
export class KnownAgentsEventTime1765100000001 implements MigrationInterface {
  name = 'KnownAgentsEventTime1765100000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "behavior_baseliner"."known_agents" ADD COLUMN "occurred_at" timestamptz`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "behavior_baseliner"."known_agents" DROP COLUMN "occurred_at"`);
  }
}
