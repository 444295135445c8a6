import { DataSource } from 'typeorm';

import { GENESIS_HASH, linkHash } from '@agentgov/hash-chain';
import { createServiceDataSource } from '@agentgov/persistence';
import { dropSchema, TEST_DATABASE_URL, uniqueName } from '@agentgov/test-support';

import { AuditChain, auditTableUpSql, unifyAuditTableDownSql, unifyAuditTableUpSql } from '../../src';

const AT = new Date('2026-12-01T10:00:00.000Z');

describe('one audit chain for every service', () => {
  const schemas: string[] = [];
  let db: DataSource;

  beforeAll(async () => {
    db = createServiceDataSource({ url: TEST_DATABASE_URL, schema: 'public' });
    await db.initialize();
  });
  afterAll(async () => {
    await db.destroy();
    for (const schema of schemas) await dropSchema(schema);
  });

  async function freshSchema(): Promise<string> {
    const schema = uniqueName('audit');
    schemas.push(schema);
    await db.query(`CREATE SCHEMA "${schema}"`);
    return schema;
  }

  it('appends a linear chain that verifies, finds rows by subject and cause, and names the first tampered row', async () => {
    const schema = await freshSchema();
    for (const sql of auditTableUpSql(schema)) await db.query(sql);
    const chain = new AuditChain(schema);
    await db.transaction((tx) =>
      chain.append(tx, [
        { at: AT, actorType: 'api', actor: 'reviewer-1', action: 'review.certified', subjectType: 'review', subjectId: 'r-1', reason: 'still needed' },
        { at: AT, actorType: 'event', causeEventId: 'evt-1', action: 'review.opened', subjectType: 'review', subjectId: 'r-2', details: { reason: 'expiry' } },
      ]),
    );
    // Replicas appending at once still make one chain.
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        db.transaction((tx) => chain.append(tx, [{ at: AT, actorType: 'system', action: 'review.overdue', subjectType: 'review', subjectId: `r-${i + 3}` }])),
      ),
    );
    expect(await chain.verify(db.manager, 3)).toEqual({ ok: true, rowsChecked: 10 });

    expect(await chain.find(db.manager, { subjectType: 'review', subjectId: 'r-1', limit: 10 })).toEqual([
      expect.objectContaining({
        seq: '1',
        actorType: 'api',
        actor: 'reviewer-1',
        action: 'review.certified',
        reason: 'still needed',
        details: {},
        prevHash: GENESIS_HASH,
      }),
    ]);
    expect((await chain.find(db.manager, { causeEventId: 'evt-1', limit: 10 })).map((r) => r.subjectId)).toEqual(['r-2']);
    expect((await chain.find(db.manager, { afterSeq: '8', limit: 10 })).map((r) => r.seq)).toEqual(['9', '10']);

    await db.query(`UPDATE "${schema}"."audit_log" SET "reason" = 'never needed' WHERE "seq" = 1`);
    expect(await chain.verify(db.manager)).toEqual({ ok: false, rowsChecked: 0, brokenAtSeq: '1', why: 'hash does not match the row' });
    await db.query(`UPDATE "${schema}"."audit_log" SET "reason" = 'still needed' WHERE "seq" = 1`);
    await db.query(`DELETE FROM "${schema}"."audit_log" WHERE "seq" = 5`);
    expect(await chain.verify(db.manager)).toEqual({ ok: false, rowsChecked: 4, brokenAtSeq: '6', why: 'prev_hash does not match the previous row' });
  });

  it("keeps the provisioner's earlier rows verifiable after its table joins the shared shape", async () => {
    const schema = await freshSchema();
    // The provisioner's table and rows as its first release wrote them.
    await db.query(`CREATE TABLE "${schema}"."audit_log" (
      "seq" bigserial PRIMARY KEY, "at" timestamptz NOT NULL, "actor_type" text NOT NULL CHECK ("actor_type" IN ('api', 'event', 'system')),
      "actor" text, "cause_event_id" text, "action" text NOT NULL, "subject_type" text NOT NULL, "subject_id" text NOT NULL,
      "details" jsonb NOT NULL DEFAULT '{}', "prev_hash" text NOT NULL, "hash" text NOT NULL)`);
    const old = {
      at: AT.toISOString(),
      actorType: 'event',
      actor: null,
      causeEventId: 'hr-1',
      action: 'owner.terminated',
      subjectType: 'owner',
      subjectId: 'o-1',
      details: { kind: 'owner.terminated' },
    };
    const oldHash = linkHash(GENESIS_HASH, old);
    await db.query(
      `INSERT INTO "${schema}"."audit_log" ("at", "actor_type", "actor", "cause_event_id", "action", "subject_type", "subject_id", "details", "prev_hash", "hash")
       VALUES ($1, 'event', NULL, 'hr-1', 'owner.terminated', 'owner', 'o-1', $2, $3, $4)`,
      [AT, old.details, GENESIS_HASH, oldHash],
    );
    for (const sql of unifyAuditTableUpSql(schema, 'provisioner')) await db.query(sql);

    const chain = new AuditChain(schema);
    await db.transaction((tx) =>
      chain.append(tx, [{ at: AT, actorType: 'api', actor: 'admin-1', action: 'agent.registered', subjectType: 'agent', subjectId: 'a-1', reason: 'pilot' }]),
    );
    expect(await chain.verify(db.manager)).toEqual({ ok: true, rowsChecked: 2 });
    expect((await chain.find(db.manager, { limit: 10 }))[1].prevHash).toBe(oldHash);

    await db.query(`UPDATE "${schema}"."audit_log" SET "cause_event_id" = 'hr-2' WHERE "seq" = 1`);
    expect(await chain.verify(db.manager)).toMatchObject({ ok: false, brokenAtSeq: '1' });
    await db.query(`UPDATE "${schema}"."audit_log" SET "cause_event_id" = 'hr-1' WHERE "seq" = 1`);
    // A row cannot pass for the older format to dodge the newer content.
    await db.query(`UPDATE "${schema}"."audit_log" SET "format" = 1 WHERE "seq" = 2`);
    expect(await chain.verify(db.manager)).toMatchObject({ ok: false, brokenAtSeq: '2' });
  });

  it("keeps containment's earlier rows verifiable, and its migration runs down again", async () => {
    const schema = await freshSchema();
    // Containment's table and rows as its first release wrote them (no actor type, no cause, "id" for the order).
    await db.query(`CREATE TABLE "${schema}"."audit_log" (
      "id" bigserial PRIMARY KEY, "at" timestamptz NOT NULL, "actor" text NOT NULL, "action" text NOT NULL, "subject_type" text NOT NULL,
      "subject_id" text NOT NULL, "reason" text, "details" jsonb NOT NULL DEFAULT '{}', "prev_hash" text NOT NULL, "hash" text NOT NULL)`);
    const old = {
      at: AT.toISOString(),
      actor: 'analyst-7',
      action: 'incident.released',
      subjectType: 'incident',
      subjectId: 'i-1',
      reason: 'false positive',
      details: {},
    };
    await db.query(
      `INSERT INTO "${schema}"."audit_log" ("at", "actor", "action", "subject_type", "subject_id", "reason", "details", "prev_hash", "hash")
       VALUES ($1, 'analyst-7', 'incident.released', 'incident', 'i-1', 'false positive', '{}', $2, $3)`,
      [AT, GENESIS_HASH, linkHash(GENESIS_HASH, old)],
    );
    for (const sql of unifyAuditTableUpSql(schema, 'containment')) await db.query(sql);

    const chain = new AuditChain(schema);
    await db.transaction((tx) =>
      chain.append(tx, [{ at: AT, actorType: 'event', actor: 'policy-v2', action: 'logout.contain', subjectType: 'agent', subjectId: 'a-9' }]),
    );
    expect(await chain.verify(db.manager)).toEqual({ ok: true, rowsChecked: 2 });
    await expect(
      db.query(`INSERT INTO "${schema}"."audit_log" ("at", "action", "subject_type", "subject_id", "prev_hash", "hash") VALUES (now(), 'x', 'y', 'z', '', '')`),
    ).rejects.toThrow(/audit_log_actor_type_required/);

    await db.query(`DELETE FROM "${schema}"."audit_log" WHERE "format" = 3`);
    for (const sql of unifyAuditTableDownSql(schema, 'containment')) await db.query(sql);
    const columns = await db.query(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'audit_log' ORDER BY column_name`,
      [schema],
    );
    expect(columns.map((c: { column_name: string }) => c.column_name)).toEqual([
      'action',
      'actor',
      'at',
      'details',
      'hash',
      'id',
      'prev_hash',
      'reason',
      'subject_id',
      'subject_type',
    ]);
  });
});
