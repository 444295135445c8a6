import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Containment as a managed Shared Signals transmitter (OpenID SSF 1.0 §8): the event streams receivers create, each
 * owned by the receiver (the bearer token's subject) that created it, and the stream events not yet delivered (push:
 * until the receiver accepted them; poll: until it acknowledged them, RFC 8936). The receiver's push Authorization
 * header is kept sealed (AES-256-GCM, bound to the stream id).
 */
export class SsfStreams1765300000000 implements MigrationInterface {
  name = 'SsfStreams1765300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "containment"."ssf_streams" (
        "id" text PRIMARY KEY,
        "receiver" text NOT NULL,
        "audience" text NOT NULL,
        "delivery_method" text NOT NULL CHECK ("delivery_method" IN ('urn:ietf:rfc:8935', 'urn:ietf:rfc:8936')),
        "endpoint_url" text,
        "authorization_header_sealed" text,
        "events_requested" text[],
        "events_delivered" text[] NOT NULL,
        "description" text,
        "status" text NOT NULL DEFAULT 'enabled' CHECK ("status" IN ('enabled', 'paused', 'disabled')),
        "status_reason" text,
        "last_verification_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CHECK ("delivery_method" <> 'urn:ietf:rfc:8935' OR "endpoint_url" IS NOT NULL)
      )`);
    await queryRunner.query(`CREATE INDEX "ssf_streams_receiver" ON "containment"."ssf_streams" ("receiver", "created_at")`);
    await queryRunner.query(`
      CREATE TABLE "containment"."ssf_stream_events" (
        "id" bigserial PRIMARY KEY,
        "stream_id" text NOT NULL REFERENCES "containment"."ssf_streams" ("id") ON DELETE CASCADE,
        "jti" text NOT NULL,
        "event" jsonb NOT NULL,
        "status" text NOT NULL DEFAULT 'pending' CHECK ("status" IN ('pending', 'retrying', 'failed', 'refused')),
        "attempts" integer NOT NULL DEFAULT 0,
        "next_attempt_at" timestamptz NOT NULL DEFAULT now(),
        "lease_until" timestamptz,
        "reason" text,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        UNIQUE ("stream_id", "jti")
      )`);
    await queryRunner.query(
      `CREATE INDEX "ssf_stream_events_open" ON "containment"."ssf_stream_events" ("stream_id", "id") WHERE "status" IN ('pending', 'retrying')`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "containment"."ssf_stream_events"`);
    await queryRunner.query(`DROP TABLE "containment"."ssf_streams"`);
  }
}
