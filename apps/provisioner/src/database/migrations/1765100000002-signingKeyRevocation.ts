import { MigrationInterface, QueryRunner } from 'typeorm';

/** A compromised signing key is revoked: out of the JWKS and of verification at once, its tokens inactive. */
export class SigningKeyRevocation1765100000002 implements MigrationInterface {
  name = 'SigningKeyRevocation1765100000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "provisioner"."signing_keys" ADD COLUMN "revoked_at" timestamptz`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "provisioner"."signing_keys" DROP COLUMN "revoked_at"`);
  }
}
