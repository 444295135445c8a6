import { MigrationInterface, QueryRunner } from 'typeorm';

import { statefulConsumerTablesDownSql, statefulConsumerTablesUpSql } from '@agentgov/messaging';

/** Per-agent scoring state checkpointed with its offsets, and the registry as learnt from lifecycle events. */
export class ScoringState1763930000000 implements MigrationInterface {
  name = 'ScoringState1763930000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const sql of statefulConsumerTablesUpSql('behavior_baseliner')) await queryRunner.query(sql);
    await queryRunner.query(`
      CREATE TABLE "behavior_baseliner"."known_agents" (
        "agent_id" text PRIMARY KEY,
        "owner_id" text NOT NULL,
        "risk_tier" text NOT NULL,
        "status" text NOT NULL,
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS "behavior_baseliner"."known_agents"`);
    for (const sql of statefulConsumerTablesDownSql('behavior_baseliner')) await queryRunner.query(sql);
  }
}
