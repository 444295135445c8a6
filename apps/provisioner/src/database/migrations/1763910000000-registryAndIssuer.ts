import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The registry (owners, their identities at each IdP, agents and the delegation tree), the audit chain and
 * the embedded issuer's state (signing keys, revoked token ids).
 */
export class RegistryAndIssuer1763910000000 implements MigrationInterface {
  name = 'RegistryAndIssuer1763910000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "provisioner"."owners" (
        "id" text PRIMARY KEY,
        "email" text,
        "phone" text,
        "display_name" text,
        "manager_id" text,
        "team" text,
        "status" text NOT NULL DEFAULT 'active' CHECK ("status" IN ('active', 'suspended', 'terminated')),
        "status_reason" text,
        -- Event time (at the source) of the latest lifecycle change applied: older events never undo newer state.
        "status_changed_at" timestamptz NOT NULL DEFAULT '-infinity',
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX "owners_email_idx" ON "provisioner"."owners" (lower("email"))`);
    await queryRunner.query(`CREATE INDEX "owners_phone_idx" ON "provisioner"."owners" ("phone")`);
    await queryRunner.query(`
      CREATE TABLE "provisioner"."owner_identities" (
        "source" text NOT NULL,
        "external_id" text NOT NULL,
        "owner_id" text NOT NULL REFERENCES "provisioner"."owners" ("id") ON DELETE CASCADE,
        PRIMARY KEY ("source", "external_id")
      )`);
    await queryRunner.query(`CREATE INDEX "owner_identities_owner_idx" ON "provisioner"."owner_identities" ("owner_id")`);
    await queryRunner.query(`
      CREATE TABLE "provisioner"."agents" (
        "id" uuid PRIMARY KEY,
        "name" text NOT NULL,
        "owner_id" text NOT NULL REFERENCES "provisioner"."owners" ("id"),
        "parent_id" uuid REFERENCES "provisioner"."agents" ("id"),
        "depth" integer NOT NULL DEFAULT 0,
        "purpose" text NOT NULL,
        "platform" text NOT NULL,
        "risk_tier" text NOT NULL CHECK ("risk_tier" IN ('low', 'medium', 'high', 'critical')),
        "scopes" text[] NOT NULL DEFAULT '{}',
        "status" text NOT NULL DEFAULT 'active' CHECK ("status" IN ('active', 'suspended', 'deprovisioned')),
        "status_reason" text,
        -- Machine-readable cause of a suspension, so that lifting that cause restores only what it suspended.
        "status_cause" text,
        "created_by" text NOT NULL,
        "expires_at" timestamptz,
        "client_secret_hash" text NOT NULL,
        "secret_rotated_at" timestamptz NOT NULL DEFAULT now(),
        -- Revoke-all: a token issued before this instant is inactive. One write per agent, whatever its token count.
        "tokens_not_before" timestamptz NOT NULL DEFAULT '-infinity',
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX "agents_owner_idx" ON "provisioner"."agents" ("owner_id")`);
    await queryRunner.query(`CREATE INDEX "agents_parent_idx" ON "provisioner"."agents" ("parent_id")`);
    await queryRunner.query(`CREATE INDEX "agents_status_idx" ON "provisioner"."agents" ("status")`);
    await queryRunner.query(`
      CREATE TABLE "provisioner"."audit_log" (
        "seq" bigserial PRIMARY KEY,
        "at" timestamptz NOT NULL,
        "actor_type" text NOT NULL CHECK ("actor_type" IN ('api', 'event', 'system')),
        "actor" text,
        "cause_event_id" text,
        "action" text NOT NULL,
        "subject_type" text NOT NULL,
        "subject_id" text NOT NULL,
        "details" jsonb NOT NULL DEFAULT '{}',
        -- Tamper evidence: each row's hash covers its content and the previous row's hash.
        "prev_hash" text NOT NULL,
        "hash" text NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX "audit_log_subject_idx" ON "provisioner"."audit_log" ("subject_type", "subject_id")`);
    await queryRunner.query(`CREATE INDEX "audit_log_cause_idx" ON "provisioner"."audit_log" ("cause_event_id")`);
    await queryRunner.query(`
      CREATE TABLE "provisioner"."signing_keys" (
        "kid" text PRIMARY KEY,
        "private_key_encrypted" text NOT NULL,
        "public_jwk" jsonb NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "retired_at" timestamptz
      )`);
    await queryRunner.query(`
      CREATE TABLE "provisioner"."revoked_tokens" (
        "jti" text PRIMARY KEY,
        "agent_id" uuid NOT NULL,
        "expires_at" timestamptz NOT NULL,
        "revoked_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX "revoked_tokens_expires_idx" ON "provisioner"."revoked_tokens" ("expires_at")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['revoked_tokens', 'signing_keys', 'audit_log', 'agents', 'owner_identities', 'owners']) {
      await queryRunner.query(`DROP TABLE IF EXISTS "provisioner"."${table}"`);
    }
  }
}
