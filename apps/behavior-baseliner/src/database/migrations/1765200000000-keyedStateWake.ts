import { MigrationInterface, QueryRunner } from 'typeorm';

import { keyedStateWakeDownSql, keyedStateWakeUpSql } from '@agentgov/messaging';

/**
 * When each agent's usage-window timer is next due: the scoring threads keep a bounded number of agents in memory,
 * and an evicted agent is read back at that time so its quiet window is still summarised.
 */
export class KeyedStateWake1765200000000 implements MigrationInterface {
  name = 'KeyedStateWake1765200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const sql of keyedStateWakeUpSql('behavior_baseliner')) await queryRunner.query(sql);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const sql of keyedStateWakeDownSql('behavior_baseliner')) await queryRunner.query(sql);
  }
}
