import { assertSqlIdentifier } from '@agentgov/persistence';

/** Channel on which Postgres announces new outbox rows of a schema (NOTIFY is delivered on commit only). */
export function outboxChannel(schema: string): string {
  return `${assertSqlIdentifier(schema)}_outbox`;
}

/**
 * DDL for the inbox and outbox of one service schema, for use inside that service's migrations.
 * The inbox primary key makes a redelivered event a no-op; the outbox trigger wakes the relay.
 */
export function messagingTablesUpSql(schema: string): string[] {
  const s = assertSqlIdentifier(schema);
  return [
    `CREATE TABLE IF NOT EXISTS "${s}"."inbox" (
      "consumer" text NOT NULL,
      "event_id" text NOT NULL,
      "topic" text NOT NULL,
      "partition" integer NOT NULL,
      "offset" bigint NOT NULL,
      "processed_at" timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY ("consumer", "event_id")
    )`,
    `CREATE INDEX IF NOT EXISTS "inbox_processed_at_idx" ON "${s}"."inbox" ("processed_at")`,
    ...inboxDigestUpSql(schema),
    `CREATE TABLE IF NOT EXISTS "${s}"."outbox" (
      "id" bigserial PRIMARY KEY,
      "event_id" text NOT NULL UNIQUE,
      "topic" text NOT NULL,
      "key" text NOT NULL,
      "value" text NOT NULL,
      "headers" jsonb NOT NULL,
      "created_at" timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE OR REPLACE FUNCTION "${s}"."outbox_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('${outboxChannel(s)}', '');
        RETURN NULL;
      END
    $$`,
    `CREATE TRIGGER "outbox_notify" AFTER INSERT ON "${s}"."outbox"
      FOR EACH STATEMENT EXECUTE FUNCTION "${s}"."outbox_notify"()`,
  ];
}

export function messagingTablesDownSql(schema: string): string[] {
  const s = assertSqlIdentifier(schema);
  return [
    `DROP TRIGGER IF EXISTS "outbox_notify" ON "${s}"."outbox"`,
    `DROP FUNCTION IF EXISTS "${s}"."outbox_notify"()`,
    `DROP TABLE IF EXISTS "${s}"."outbox"`,
    `DROP TABLE IF EXISTS "${s}"."inbox"`,
  ];
}

/**
 * The inbox remembers what each event said (SHA-256 of its value), so a repeated ce_id counts as a duplicate only
 * when its content is the same: a producer that reuses a future event's id with other content cannot make the real
 * event a silent duplicate. Rows from before the column have no digest and are taken as duplicates, as before.
 */
export function inboxDigestUpSql(schema: string): string[] {
  return [`ALTER TABLE "${assertSqlIdentifier(schema)}"."inbox" ADD COLUMN IF NOT EXISTS "digest" text`];
}

export function inboxDigestDownSql(schema: string): string[] {
  return [`ALTER TABLE "${assertSqlIdentifier(schema)}"."inbox" DROP COLUMN IF EXISTS "digest"`];
}
