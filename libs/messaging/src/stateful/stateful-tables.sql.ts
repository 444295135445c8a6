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

export function statefulConsumerTablesDownSql(schema: string): string[] {
  const s = assertSqlIdentifier(schema);
  return [`DROP TABLE IF EXISTS "${s}"."keyed_state"`, `DROP TABLE IF EXISTS "${s}"."partition_checkpoints"`];
}
