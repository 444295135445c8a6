import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What SCIM keeps of an Agent (draft-wzdk-scim-agent-resource-00) beside the registry's agent: the client's
 * agentUserName (unique among live SCIM agents regardless of case) and externalId (not unique, RFC 7643 §3.1), and
 * when the client deleted it (RFC 7644 §3.6: gone for SCIM, while the agent stays in the registry, deprovisioned,
 * with its history). Indexes serve the filters identity providers send: agentUserName, externalId, displayName
 * (the registry's name, without case).
 */
export class ScimAgents1765300001000 implements MigrationInterface {
  name = 'ScimAgents1765300001000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "provisioner"."scim_agents" (
        "agent_id" uuid PRIMARY KEY REFERENCES "provisioner"."agents" ("id") ON DELETE CASCADE,
        "agent_user_name" text,
        "external_id" text,
        "deleted_at" timestamptz,
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    // The service checks the name under an advisory lock first; this is the last word if two requests race.
    await queryRunner.query(
      `CREATE UNIQUE INDEX "scim_agents_agent_user_name_key" ON "provisioner"."scim_agents" (lower("agent_user_name"))
       WHERE "deleted_at" IS NULL AND "agent_user_name" IS NOT NULL`,
    );
    await queryRunner.query(`CREATE INDEX "scim_agents_external_id_idx" ON "provisioner"."scim_agents" ("external_id")`);
    await queryRunner.query(`CREATE INDEX "agents_lower_name_idx" ON "provisioner"."agents" (lower("name"))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "provisioner"."agents_lower_name_idx"`);
    await queryRunner.query(`DROP TABLE "provisioner"."scim_agents"`);
  }
}
