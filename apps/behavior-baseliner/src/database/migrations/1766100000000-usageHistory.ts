import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each agent's actions per usage window (the agent.usage.v1 summaries), kept USAGE_HISTORY_DAYS for the analysts'
 * chart of its activity against its learnt range (GET /agents/{agentId}/baseline).
 */
export class UsageHistory1766100000000 implements MigrationInterface {
  name = 'UsageHistory1766100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "behavior_baseliner"."usage_history" (
        "agent_id" text NOT NULL,
        "window_start" timestamptz NOT NULL,
        "window_end" timestamptz NOT NULL,
        "actions" integer NOT NULL,
        PRIMARY KEY ("agent_id", "window_start")
      )`);
    await queryRunner.query(`CREATE INDEX "usage_history_window_start" ON "behavior_baseliner"."usage_history" ("window_start")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "behavior_baseliner"."usage_history"`);
  }
}
