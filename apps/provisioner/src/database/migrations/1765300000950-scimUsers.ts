import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What SCIM keeps of a User beside the owner: its externalId (no longer an owner identity, whose key made it
 * unique, which RFC 7643 §3.1 does not ask), the parts of its name (PUT kept only a display name), and when the
 * client deleted it (RFC 7644 §3.6: gone for SCIM, while the owner stays, terminated, with its history). Indexes
 * serve the filters identity providers send: userName (without case), externalId, and the userName of owners
 * registered without an email (their id).
 */
export class ScimUsers1765300000950 implements MigrationInterface {
  name = 'ScimUsers1765300000950';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "provisioner"."scim_users" (
        "owner_id" text PRIMARY KEY REFERENCES "provisioner"."owners" ("id") ON DELETE CASCADE,
        "external_id" text,
        "formatted_name" text,
        "family_name" text,
        "given_name" text,
        "middle_name" text,
        "honorific_prefix" text,
        "honorific_suffix" text,
        "deleted_at" timestamptz,
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX "scim_users_external_id_idx" ON "provisioner"."scim_users" ("external_id")`);
    await queryRunner.query(
      `CREATE INDEX "owner_identities_scim_username_idx" ON "provisioner"."owner_identities" (lower("external_id")) WHERE "source" = 'scim-username'`,
    );
    await queryRunner.query(`CREATE INDEX "owners_lower_id_without_email_idx" ON "provisioner"."owners" (lower("id")) WHERE "email" IS NULL`);
    // The externalIds SCIM clients gave so far. Their identity links stay (the audit trail recorded them); the
    // SCIM surface removes one, audited, when its client changes the externalId.
    await queryRunner.query(`
      INSERT INTO "provisioner"."scim_users" ("owner_id", "external_id", "updated_at")
      SELECT i."owner_id", min(i."external_id"), now() FROM "provisioner"."owner_identities" i WHERE i."source" = 'scim' GROUP BY i."owner_id"`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "provisioner"."owners_lower_id_without_email_idx"`);
    await queryRunner.query(`DROP INDEX "provisioner"."owner_identities_scim_username_idx"`);
    await queryRunner.query(`DROP TABLE "provisioner"."scim_users"`);
  }
}
