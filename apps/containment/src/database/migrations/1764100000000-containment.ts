import { MigrationInterface, QueryRunner } from 'typeorm';

// Version 1 of the policy, as released (the code's DEFAULT_CONTAINMENT_POLICY may move on; this must not).
const FIRST_POLICY = {
  tiers: {
    low: { alert: 0.95, contain: null, deprovision: null },
    medium: { alert: 0.9, contain: 0.99, deprovision: null },
    high: { alert: 0.9, contain: 0.97, deprovision: null },
    critical: { alert: 0.85, contain: 0.95, deprovision: null },
  },
  shadowAgent: 'alert',
  unknownTier: 'high',
  cooldownSeconds: 900,
};

/**
 * Policy versions, the registry as containment learns it, incidents (one per agent per episode), containment
 * actions, one durable delivery per action and connector (its row is the receipt), external tokens kept
 * sealed for RFC 7009 revocation, and the analysts' audit trail.
 */
export class Containment1764100000000 implements MigrationInterface {
  name = 'Containment1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "containment"."policy_versions" (
        "version" integer PRIMARY KEY,
        "policy" jsonb NOT NULL,
        "created_by" text NOT NULL,
        "reason" text NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`INSERT INTO "containment"."policy_versions" ("version", "policy", "created_by", "reason") VALUES (1, $1, 'system', 'safe default')`, [
      FIRST_POLICY,
    ]);
    await q.query(`
      CREATE TABLE "containment"."known_agents" (
        "agent_id" text PRIMARY KEY,
        "owner_id" text NOT NULL,
        "risk_tier" text NOT NULL,
        "status" text NOT NULL,
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX "known_agents_owner" ON "containment"."known_agents" ("owner_id")`);
    await q.query(`
      CREATE TABLE "containment"."incidents" (
        "id" uuid PRIMARY KEY,
        "agent_id" text NOT NULL,
        "kind" text NOT NULL CHECK ("kind" IN ('behavior', 'shadow-agent', 'manual', 'connector-failure')),
        "owner_id" text,
        "risk_tier" text,
        "status" text NOT NULL CHECK ("status" IN ('open', 'acknowledged', 'contained', 'released', 'confirmed', 'closed')),
        "band" text NOT NULL,
        "severity" text NOT NULL,
        "score" double precision NOT NULL,
        "explanation" jsonb NOT NULL DEFAULT '[]',
        "summary" text NOT NULL,
        "policy_version" integer,
        "episode_open" boolean NOT NULL DEFAULT true,
        "acknowledged_by" text,
        "acknowledged_at" timestamptz,
        "released_score" double precision,
        "opened_at" timestamptz NOT NULL,
        "updated_at" timestamptz NOT NULL,
        "revision" integer NOT NULL DEFAULT 1
      )`);
    await q.query(`CREATE INDEX "incidents_agent" ON "containment"."incidents" ("agent_id", "updated_at" DESC)`);
    await q.query(`CREATE INDEX "incidents_status" ON "containment"."incidents" ("status", "updated_at" DESC)`);
    await q.query(`CREATE INDEX "incidents_owner" ON "containment"."incidents" ("owner_id", "updated_at" DESC)`);
    await q.query(`
      CREATE TABLE "containment"."incident_episodes" (
        "episode_id" uuid PRIMARY KEY,
        "incident_id" uuid NOT NULL REFERENCES "containment"."incidents" ("id")
      )`);
    await q.query(`
      CREATE TABLE "containment"."actions" (
        "id" uuid PRIMARY KEY,
        "incident_id" uuid REFERENCES "containment"."incidents" ("id"),
        "agent_id" text NOT NULL,
        "owner_id" text,
        "kind" text NOT NULL CHECK ("kind" IN ('contain', 'release', 'deprovision')),
        "origin" text NOT NULL CHECK ("origin" IN ('policy', 'analyst', 'lifecycle')),
        "requested_by" text NOT NULL,
        "reason" text NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX "actions_incident" ON "containment"."actions" ("incident_id", "created_at")`);
    await q.query(`CREATE INDEX "actions_agent" ON "containment"."actions" ("agent_id", "created_at")`);
    await q.query(`
      CREATE TABLE "containment"."deliveries" (
        "id" bigserial PRIMARY KEY,
        "action_id" uuid REFERENCES "containment"."actions" ("id"),
        "incident_id" uuid,
        "target" text NOT NULL,
        "payload" jsonb,
        "status" text NOT NULL CHECK ("status" IN ('pending', 'sent', 'confirmed', 'failed', 'retrying')),
        "attempts" integer NOT NULL DEFAULT 0,
        "next_attempt_at" timestamptz NOT NULL DEFAULT now(),
        "lease_until" timestamptz,
        "reason" text,
        "alerted" boolean NOT NULL DEFAULT false,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        UNIQUE ("action_id", "target")
      )`);
    await q.query(`CREATE INDEX "deliveries_due" ON "containment"."deliveries" ("next_attempt_at") WHERE "status" IN ('pending', 'retrying')`);
    await q.query(`
      CREATE TABLE "containment"."external_tokens" (
        "id" bigserial PRIMARY KEY,
        "agent_id" text NOT NULL,
        "connector" text NOT NULL,
        "token_hash" text NOT NULL,
        "token_sealed" text,
        "token_type_hint" text,
        "expires_at" timestamptz,
        "revoked_by_action" uuid,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        UNIQUE ("connector", "token_hash")
      )`);
    await q.query(`CREATE INDEX "external_tokens_agent" ON "containment"."external_tokens" ("agent_id", "connector") WHERE "token_sealed" IS NOT NULL`);
    await q.query(`
      CREATE TABLE "containment"."audit_log" (
        "id" bigserial PRIMARY KEY,
        "at" timestamptz NOT NULL,
        "actor" text NOT NULL,
        "action" text NOT NULL,
        "subject_type" text NOT NULL,
        "subject_id" text NOT NULL,
        "reason" text,
        "details" jsonb NOT NULL DEFAULT '{}',
        "prev_hash" text NOT NULL,
        "hash" text NOT NULL
      )`);
    await q.query(`CREATE INDEX "audit_log_subject" ON "containment"."audit_log" ("subject_type", "subject_id", "id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['audit_log', 'external_tokens', 'deliveries', 'actions', 'incident_episodes', 'incidents', 'known_agents', 'policy_versions']) {
      await q.query(`DROP TABLE "containment"."${table}"`);
    }
  }
}
