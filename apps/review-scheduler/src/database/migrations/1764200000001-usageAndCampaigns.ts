import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Usage learnt from agent.usage.v1 (when each agent was last seen, when it last used each scope), what a stale
 * agent's last review was about, the agent's platform for campaigns, and campaigns of reviews.
 */
export class UsageAndCampaigns1764200000001 implements MigrationInterface {
  name = 'UsageAndCampaigns1764200000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "review_scheduler"."agents"
      ADD COLUMN "platform" text, ADD COLUMN "registered_at" timestamptz, ADD COLUMN "last_seen_at" timestamptz, ADD COLUMN "stale_flagged_at" timestamptz`);
    await q.query(`UPDATE "review_scheduler"."agents" SET "registered_at" = "updated_at"`);
    await q.query(`
      CREATE TABLE "review_scheduler"."scope_usage" (
        "agent_id" text NOT NULL,
        "scope" text NOT NULL,
        "last_used_at" timestamptz NOT NULL,
        PRIMARY KEY ("agent_id", "scope")
      )`);
    await q.query(`
      CREATE TABLE "review_scheduler"."campaigns" (
        "id" uuid PRIMARY KEY,
        "name" text NOT NULL,
        "filter" jsonb NOT NULL,
        "created_by" text NOT NULL,
        "created_at" timestamptz NOT NULL,
        "due_at" timestamptz NOT NULL
      )`);
    await q.query(`ALTER TABLE "review_scheduler"."reviews" ADD COLUMN "campaign_id" uuid REFERENCES "review_scheduler"."campaigns" ("id")`);
    await q.query(`CREATE INDEX "reviews_campaign" ON "review_scheduler"."reviews" ("campaign_id") WHERE "campaign_id" IS NOT NULL`);
    await q.query(`CREATE INDEX "reviews_closed" ON "review_scheduler"."reviews" ("closed_at") WHERE "decision" IS NOT NULL`);
    await q.query(`CREATE INDEX "agents_last_seen" ON "review_scheduler"."agents" ("last_seen_at") WHERE "status" = 'active'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "review_scheduler"."agents_last_seen"`);
    await q.query(`ALTER TABLE "review_scheduler"."reviews" DROP COLUMN "campaign_id"`);
    await q.query(`DROP TABLE "review_scheduler"."campaigns"`);
    await q.query(`DROP TABLE "review_scheduler"."scope_usage"`);
    await q.query(
      `ALTER TABLE "review_scheduler"."agents" DROP COLUMN "platform", DROP COLUMN "registered_at", DROP COLUMN "last_seen_at", DROP COLUMN "stale_flagged_at"`,
    );
  }
}
