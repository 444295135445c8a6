import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The registry as the scheduler learns it from events (agents, owners and their managers), each agent's next
 * certification (the schedule is a row, never an in-memory timer), and reviews: at most one open per agent,
 * which is what keeps two replicas from opening the same review twice.
 */
export class Reviews1764200000000 implements MigrationInterface {
  name = 'Reviews1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "review_scheduler"."agents" (
        "agent_id" text PRIMARY KEY,
        "owner_id" text NOT NULL,
        "risk_tier" text NOT NULL,
        "status" text NOT NULL,
        "scopes" text[] NOT NULL DEFAULT '{}',
        "expires_at" timestamptz,
        "next_review_at" timestamptz,
        "expiry_enforced_at" timestamptz,
        "updated_at" timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX "agents_next_review" ON "review_scheduler"."agents" ("next_review_at") WHERE "status" <> 'deprovisioned'`);
    await q.query(
      `CREATE INDEX "agents_expiry" ON "review_scheduler"."agents" ("expires_at") WHERE "status" <> 'deprovisioned' AND "expiry_enforced_at" IS NULL`,
    );
    await q.query(`CREATE INDEX "agents_owner" ON "review_scheduler"."agents" ("owner_id")`);
    await q.query(`
      CREATE TABLE "review_scheduler"."owners" (
        "owner_id" text PRIMARY KEY,
        "status" text NOT NULL,
        "manager_id" text,
        "updated_at" timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE "review_scheduler"."reviews" (
        "id" uuid PRIMARY KEY,
        "agent_id" text NOT NULL,
        "owner_id" text NOT NULL,
        "reviewer_id" text NOT NULL,
        "reason" text NOT NULL,
        "state" text NOT NULL CHECK ("state" IN ('open', 'reminded', 'overdue', 'escalated', 'closed')),
        "opened_at" timestamptz NOT NULL,
        "due_at" timestamptz NOT NULL,
        "proposed_scope_removals" text[] NOT NULL DEFAULT '{}',
        "decision" text CHECK ("decision" IN ('certify', 'revoke', 'suspend')),
        "decided_by" text,
        "decision_reason" text,
        "closed_at" timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX "reviews_one_open_per_agent" ON "review_scheduler"."reviews" ("agent_id") WHERE "state" <> 'closed'`);
    await q.query(`CREATE INDEX "reviews_reviewer" ON "review_scheduler"."reviews" ("reviewer_id", "due_at") WHERE "state" <> 'closed'`);
    await q.query(`CREATE INDEX "reviews_due" ON "review_scheduler"."reviews" ("due_at") WHERE "state" <> 'closed'`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['reviews', 'owners', 'agents']) await q.query(`DROP TABLE "review_scheduler"."${table}"`);
  }
}
