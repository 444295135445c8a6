import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Token exchange (RFC 8693) and audience-bound tokens (RFC 8707):
 * - the resource servers tokens can be issued for, with their RFC 9728 metadata;
 * - explicit delegation grants: an agent that may act for another outside its parent chain;
 * - an agent's owner changing (an offboarding that reassigns it) is one more change that ends tokens: an exchanged
 *   token names its human, and a chain whose agent now answers to someone else is no longer that human's. The
 *   replicas' introspection caches hear of it like of a suspension.
 */
export class TokenExchange1765500000000 implements MigrationInterface {
  name = 'TokenExchange1765500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "provisioner"."resource_servers" (
        "id" uuid PRIMARY KEY,
        -- RFC 9728 resource identifier; a token's aud is exactly this string, so it is kept as registered.
        "resource" text NOT NULL UNIQUE,
        "name" text NOT NULL,
        "scopes_supported" text[] NOT NULL,
        -- Empty: this issuer only.
        "authorization_servers" text[] NOT NULL DEFAULT '{}',
        "documentation_url" text,
        "created_by" text NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE "provisioner"."delegation_grants" (
        -- The agent whose tokens may be delegated...
        "agent_id" uuid NOT NULL REFERENCES "provisioner"."agents" ("id"),
        -- ...to this one, which may then act for it.
        "delegate_id" uuid NOT NULL REFERENCES "provisioner"."agents" ("id"),
        "created_by" text NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY ("agent_id", "delegate_id"),
        CHECK ("agent_id" <> "delegate_id")
      )`);
    await queryRunner.query(`CREATE INDEX "delegation_grants_delegate_idx" ON "provisioner"."delegation_grants" ("delegate_id")`);
    await queryRunner.query(`DROP TRIGGER "agents_token_state" ON "provisioner"."agents"`);
    await queryRunner.query(`
      CREATE TRIGGER "agents_token_state" AFTER UPDATE ON "provisioner"."agents" FOR EACH ROW
      WHEN (OLD."status" IS DISTINCT FROM NEW."status" OR OLD."tokens_not_before" IS DISTINCT FROM NEW."tokens_not_before"
            OR OLD."expires_at" IS DISTINCT FROM NEW."expires_at" OR OLD."scopes" IS DISTINCT FROM NEW."scopes"
            OR OLD."owner_id" IS DISTINCT FROM NEW."owner_id")
      EXECUTE FUNCTION "provisioner"."notify_token_state"('id')`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "agents_token_state" ON "provisioner"."agents"`);
    await queryRunner.query(`
      CREATE TRIGGER "agents_token_state" AFTER UPDATE ON "provisioner"."agents" FOR EACH ROW
      WHEN (OLD."status" IS DISTINCT FROM NEW."status" OR OLD."tokens_not_before" IS DISTINCT FROM NEW."tokens_not_before"
            OR OLD."expires_at" IS DISTINCT FROM NEW."expires_at" OR OLD."scopes" IS DISTINCT FROM NEW."scopes")
      EXECUTE FUNCTION "provisioner"."notify_token_state"('id')`);
    await queryRunner.query(`DROP TABLE "provisioner"."delegation_grants"`);
    await queryRunner.query(`DROP TABLE "provisioner"."resource_servers"`);
  }
}
