import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The Global Token Revocation assertions trusted IdPs have used (issuer, jti), until they expire: each one acts once,
 * so an assertion captured in transit cannot log anyone out again. Rows past `expires_at` are deleted as new ones
 * arrive (an expired assertion fails verification anyway).
 */
export class GtrAssertionsUsed1765400000000 implements MigrationInterface {
  name = 'GtrAssertionsUsed1765400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "provisioner"."gtr_assertions_used" (
        "issuer" text NOT NULL,
        "jti" text NOT NULL,
        "expires_at" timestamptz NOT NULL,
        "used_at" timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY ("issuer", "jti")
      )`);
    await queryRunner.query(`CREATE INDEX "gtr_assertions_used_expires_at_idx" ON "provisioner"."gtr_assertions_used" ("expires_at")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "provisioner"."gtr_assertions_used"`);
  }
}
