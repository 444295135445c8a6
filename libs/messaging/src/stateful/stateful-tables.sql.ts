import { assertSqlIdentifier } from '@agentgov/persistence';

/**
 * DDL for stateful consumption in one service schema: the state of each key, and per partition the next offset
 * that state has not yet seen plus a fencing token. Written together in one transaction, they let a partition
 * resume exactly where its state stands, whoever owns it next.
 */
export function statefulConsumerTablesUpSql(schema: string): string[] {
  const s = assertSqlIdentifier(schema);
  return [
    `CREATE TABLE IF NOT EXISTS "${s}"."partition_checkpoints" (
      "consumer" text NOT NULL,
      "topic" text NOT NULL,
      "partition" integer NOT NULL,
      "next_offset" bigint,
      "fence" bigint NOT NULL DEFAULT 0,
      "updated_at" timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY ("consumer", "topic", "partition")
    )`,
    `CREATE TABLE IF NOT EXISTS "${s}"."keyed_state" (
      "consumer" text NOT NULL,
      "key" text NOT NULL,
      "topic" text NOT NULL,
      "partition" integer NOT NULL,
      "state" jsonb NOT NULL,
      "updated_at" timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY ("consumer", "key")
    )`,
    `CREATE INDEX IF NOT EXISTS "keyed_state_partition_idx" ON "${s}"."keyed_state" ("consumer", "topic", "partition")`,
  ];
}

/**
 * When a key's timer is next due (epoch ms), so a key evicted from memory is brought back to run it
 * (KeyedStateRunnerOptions.maxResidentKeys). Added to tables made by statefulConsumerTablesUpSql.
 */
export function keyedStateWakeUpSql(schema: string): string[] {
  const s = assertSqlIdentifier(schema);
  return [
    `ALTER TABLE "${s}"."keyed_state" ADD COLUMN IF NOT EXISTS "wake_at" bigint`,
    `CREATE INDEX IF NOT EXISTS "keyed_state_wake_idx" ON "${s}"."keyed_state" ("consumer", "topic", "partition", "wake_at") WHERE "wake_at" IS NOT NULL`,
  ];
}

export function keyedStateWakeDownSql(schema: string): string[] {
  const s = assertSqlIdentifier(schema);
  return [`DROP INDEX IF EXISTS "${s}"."keyed_state_wake_idx"`, `ALTER TABLE "${s}"."keyed_state" DROP COLUMN IF EXISTS "wake_at"`];
}

export function statefulConsumerTablesDownSql(schema: string): string[] {
  const s = assertSqlIdentifier(schema);
  return [`DROP TABLE IF EXISTS "${s}"."keyed_state"`, `DROP TABLE IF EXISTS "${s}"."partition_checkpoints"`];
}
