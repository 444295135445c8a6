import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Announces, on commit, every change that can make an agent's tokens inactive (status, expiry, revoke-all,
 * a revoked token id), so each replica's introspection cache drops that agent at once.
 */
export class TokenStateNotifications1763920000000 implements MigrationInterface {
  name = 'TokenStateNotifications1763920000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION "provisioner"."notify_token_state"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- TG_ARGV[0] names the column holding the agent id in the table the trigger is on.
        PERFORM pg_notify('provisioner_token_state', to_jsonb(NEW) ->> TG_ARGV[0]);
        RETURN NULL;
      END
      $$`);
    await queryRunner.query(`
      CREATE TRIGGER "agents_token_state" AFTER UPDATE ON "provisioner"."agents" FOR EACH ROW
      WHEN (OLD."status" IS DISTINCT FROM NEW."status" OR OLD."tokens_not_before" IS DISTINCT FROM NEW."tokens_not_before"
            OR OLD."expires_at" IS DISTINCT FROM NEW."expires_at")
      EXECUTE FUNCTION "provisioner"."notify_token_state"('id')`);
    await queryRunner.query(`
      CREATE TRIGGER "revoked_tokens_token_state" AFTER INSERT ON "provisioner"."revoked_tokens" FOR EACH ROW
      EXECUTE FUNCTION "provisioner"."notify_token_state"('agent_id')`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER IF EXISTS "revoked_tokens_token_state" ON "provisioner"."revoked_tokens"`);
    await queryRunner.query(`DROP TRIGGER IF EXISTS "agents_token_state" ON "provisioner"."agents"`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS "provisioner"."notify_token_state"()`);
  }
}
