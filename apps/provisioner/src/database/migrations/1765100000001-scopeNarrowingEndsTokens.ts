import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Narrowing an agent's scopes is one more change that can make its live tokens inactive (a token carrying a scope
 * the agent no longer has stops introspecting active): the replicas' introspection caches hear of it too.
 */
export class ScopeNarrowingEndsTokens1765100000001 implements MigrationInterface {
  name = 'ScopeNarrowingEndsTokens1765100000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "agents_token_state" ON "provisioner"."agents"`);
    await queryRunner.query(`
      CREATE TRIGGER "agents_token_state" AFTER UPDATE ON "provisioner"."agents" FOR EACH ROW
      WHEN (OLD."status" IS DISTINCT FROM NEW."status" OR OLD."tokens_not_before" IS DISTINCT FROM NEW."tokens_not_before"
            OR OLD."expires_at" IS DISTINCT FROM NEW."expires_at" OR OLD."scopes" IS DISTINCT FROM NEW."scopes")
      EXECUTE FUNCTION "provisioner"."notify_token_state"('id')`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "agents_token_state" ON "provisioner"."agents"`);
    await queryRunner.query(`
      CREATE TRIGGER "agents_token_state" AFTER UPDATE ON "provisioner"."agents" FOR EACH ROW
      WHEN (OLD."status" IS DISTINCT FROM NEW."status" OR OLD."tokens_not_before" IS DISTINCT FROM NEW."tokens_not_before"
            OR OLD."expires_at" IS DISTINCT FROM NEW."expires_at")
      EXECUTE FUNCTION "provisioner"."notify_token_state"('id')`);
  }
}
