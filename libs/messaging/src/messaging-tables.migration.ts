import { MigrationInterface, QueryRunner } from 'typeorm';

import { inboxDigestDownSql, inboxDigestUpSql, messagingTablesDownSql, messagingTablesUpSql } from './messaging-tables.sql';

/**
 * The first migration of every service: its inbox and outbox. Built by a factory because the DDL is the
 * same in every schema; the class name carries the timestamp TypeORM orders migrations by.
 */
export function messagingTablesMigration(schema: string, timestamp: number): new () => MigrationInterface {
  const name = `MessagingTables${timestamp}`;
  const migration = class implements MigrationInterface {
    name = name;

    async up(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      for (const sql of messagingTablesUpSql(schema)) await queryRunner.query(sql);
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      for (const sql of messagingTablesDownSql(schema)) await queryRunner.query(sql);
    }
  };
  Object.defineProperty(migration, 'name', { value: name });
  return migration;
}

/** Adds the inbox's content digest to a schema made before it (see inboxDigestUpSql). */
export function inboxDigestMigration(schema: string, timestamp: number): new () => MigrationInterface {
  const name = `InboxDigest${timestamp}`;
  const migration = class implements MigrationInterface {
    name = name;

    async up(queryRunner: QueryRunner): Promise<void> {
      for (const sql of inboxDigestUpSql(schema)) await queryRunner.query(sql);
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      for (const sql of inboxDigestDownSql(schema)) await queryRunner.query(sql);
    }
  };
  Object.defineProperty(migration, 'name', { value: name });
  return migration;
}
