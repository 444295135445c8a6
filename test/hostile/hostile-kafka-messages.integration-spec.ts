import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Admin, Message, Partitioners, Producer } from 'kafkajs';

import { Role } from '@agentgov/auth';
import { DLQ_HEADERS, dlqTopicOf, ServiceName, TopicName, Topics, validateDlqHeaders } from '@agentgov/contracts';
import { developmentKeyEncryptionKey } from '@agentgov/sealed-secrets';
import { waitFor, withTestDatabase } from '@agentgov/test-support';

import {
  consumersOf,
  ConsumingService,
  generateRound,
  HOSTILE_ID_HEADER,
  HostileMessage,
  HostileRound,
  INBOUND_TOPICS,
  RoundWorld,
} from './support/hostile-kafka-round';
import { CollectedRecord, TopicCollector, uncommitted } from './support/kafka-observer';
import { Secret } from './support/log-secrets';
import { RunningServices } from './support/running-services';

const SEED = 20261129;
const SIZES = { badPerTopic: 200, oversizedPerTopic: 8, activityPerAgent: 12 };
/**
 * Resident memory a service may gain from the end of the warm-up round to the end of an equal second round. The
 * baseliner runs three V8 isolates (its scoring threads fetch up to 16 MB at a time); over ten rounds it settled
 * (+29, +23, +10, +7, +10 MiB), the others moved by ±15 MiB at most.
 */
const RSS_GROWTH_BOUND_MIB: Record<ServiceName, number> = { provisioner: 32, 'behavior-baseliner': 48, containment: 32, 'review-scheduler': 32 };
const SCHEMA: Record<ServiceName, string> = {
  provisioner: 'provisioner',
  'behavior-baseliner': 'behavior_baseliner',
  containment: 'containment',
  'review-scheduler': 'review_scheduler',
};

interface RoundReport {
  round: number;
  produced: number;
  byTopic: Record<string, { valid: number; replays: number; refused: number }>;
  deadLetters: number;
  seconds: number;
  rssMiB: Record<string, number>;
}

/**
 * Thousands of generated messages on every topic a service consumes, interleaved with valid events whose effects
 * are checked: no service crashes or stops being ready, every refused message is on `<topic>.dlq` once per
 * consumer group that reads the topic, with a reason naming what is wrong, every valid event has its effect once
 * (a replayed id has none, even with other content), and memory does not grow from one round to the next.
 */
describe('hostile messages on every inbound topic', () => {
  const ssfKeyDir = mkdtempSync(join(tmpdir(), 'hostile-ssf-'));
  const ssfKey: Record<string, string> = {
    ...(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }) as Record<string, string>),
    alg: 'ES256',
    kid: `hostile-${randomUUID()}`,
  };
  const externalTokenKey = randomBytes(32).toString('base64');
  const services = new RunningServices({
    provisioner: {},
    // Checkpoints often (the baseline API reads them); one usage window a week, so no window closes mid-test.
    'behavior-baseliner': { SCORING_CHECKPOINT_INTERVAL_MS: '500', USAGE_WINDOW_MINUTES: '10080' },
    // No connectors: nothing of other runs to claim, nothing to call.
    containment: { SSF_SIGNING_KEY_FILE: join(ssfKeyDir, 'ssf-signing-key.json'), EXTERNAL_TOKEN_ENCRYPTION_KEY: externalTokenKey },
    'review-scheduler': {},
  });
  /** Every secret the run used or saw, for the log scan at the end. */
  const secrets: Secret[] = [
    { name: 'issuer key-encryption key (development)', value: developmentKeyEncryptionKey('issuer').toString('base64') },
    { name: 'containment external-token key', value: externalTokenKey },
    { name: 'containment SSF signing key (d)', value: ssfKey.d! },
  ];
  const reports: RoundReport[] = [];
  const sent: HostileMessage[] = [];
  let producer: Producer;
  let admin: Admin;
  let deadLetters: TopicCollector;

  const prefix = () => services.get('provisioner').topicPrefix;
  const topicOf = (topic: string) => prefix() + topic;
  const groupOf = (service: ConsumingService, topic: TopicName) =>
    `${prefix()}${service}${service === 'behavior-baseliner' && topic === Topics.AgentActivity ? '.scoring' : ''}`;

  async function token(roles: Role[], sub = 'hostile-admin'): Promise<string> {
    const value = await services.get('provisioner').token(roles, sub);
    secrets.push({ name: `bearer token (${roles.join(',')})`, value });
    return value;
  }
  async function api(service: ServiceName, method: string, path: string, body?: unknown, roles: Role[] = [Role.Admin]) {
    const response = await fetch(`${services.get(service).url}${path}`, {
      method,
      headers: { authorization: `Bearer ${await token(roles)}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }
  const query = <T = any>(sql: string, params: unknown[]) => withTestDatabase(async (c) => (await c.query(sql, params)).rows as T[]);

  beforeAll(async () => {
    writeFileSync(join(ssfKeyDir, 'ssf-signing-key.json'), JSON.stringify(ssfKey), { mode: 0o600 });
    await services.start();
    const kafka = services.get('provisioner').kafka;
    producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    admin = kafka.admin();
    await admin.connect();
    deadLetters = new TopicCollector(
      kafka,
      INBOUND_TOPICS.map((t) => dlqTopicOf(topicOf(t))),
    );
    await deadLetters.start();
  }, 120000);

  afterAll(async () => {
    await deadLetters?.stop();
    await producer?.disconnect();
    await admin?.disconnect();
    await services.stop();
  }, 60000);

  /** Agents the round's traffic is about, announced the way the registry would, and known everywhere first. */
  async function announce(agentIds: string[], ownerId: string): Promise<void> {
    const now = new Date().toISOString();
    await services.get('provisioner').publish(
      Topics.AgentLifecycle,
      agentIds.map((agentId) => ({
        data: {
          kind: 'agent.registered' as const,
          agentId,
          ownerId,
          name: 'hostile setup agent',
          purpose: 'hostile input test',
          platform: 'hostile-tests',
          riskTier: 'low' as const,
          scopes: ['crm:read'],
          status: 'active' as const,
          occurredAt: now,
          cause: { type: 'api' as const, actor: 'hostile-tests' },
        },
      })),
    );
    for (const [schema, table] of [
      ['behavior_baseliner', 'known_agents'],
      ['containment', 'known_agents'],
      ['review_scheduler', 'agents'],
    ]) {
      await waitFor(
        async () => (await query(`SELECT count(*)::int AS n FROM "${schema}"."${table}" WHERE "agent_id" = ANY($1)`, [agentIds]))[0].n,
        (n) => n === agentIds.length,
        { timeoutMs: 30000, what: `${schema} to learn the setup agents` },
      );
    }
  }

  /** Agents registered through the provisioner's API (their client secrets and a token of each go to the scan). */
  async function registerThroughApi(count: number, tag: string): Promise<string[]> {
    const owner = await api('provisioner', 'POST', '/owners', { email: `hostile-${tag}@example.com`, displayName: 'Hostile Owner' });
    expect(owner.status).toBe(201);
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const agent = await api('provisioner', 'POST', '/agents', {
        name: `hostile api agent ${i}`,
        ownerId: owner.body.id,
        purpose: 'hostile input test',
        platform: 'hostile-tests',
        riskTier: 'low',
        scopes: ['crm:read'],
      });
      expect(agent.status).toBe(201);
      secrets.push({ name: 'agent client secret', value: agent.body.clientSecret });
      const issued = await fetch(`${services.get('provisioner').url}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: agent.body.clientId, client_secret: agent.body.clientSecret }),
      });
      expect(issued.status).toBe(200);
      secrets.push({ name: 'issued access token', value: ((await issued.json()) as { access_token: string }).access_token });
      ids.push(agent.body.id);
    }
    return ids;
  }

  async function produce(messages: HostileMessage[]): Promise<void> {
    let batch: HostileMessage[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const byTopic = new Map<string, Message[]>();
      for (const m of batch) {
        const list = byTopic.get(m.topic) ?? [];
        list.push({ key: m.key, value: m.value, headers: m.headers });
        byTopic.set(m.topic, list);
      }
      await producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, list]) => ({ topic: topicOf(topic), messages: list })) });
      batch = [];
    };
    for (const m of messages) {
      // A broker record batch holds at most 1 MB: large messages go on their own.
      if (m.large) {
        await flush();
        batch.push(m);
        await flush();
      } else {
        batch.push(m);
        if (batch.length >= 250) await flush();
      }
    }
    await flush();
  }

  /** Every consumer group of every inbound topic has committed everything, and the DLQs have been read to their end. */
  async function settled(): Promise<void> {
    const subscriptions = INBOUND_TOPICS.flatMap((topic) => consumersOf(topic).map((service) => ({ group: groupOf(service, topic), topic: topicOf(topic) })));
    await waitFor(
      () => uncommitted(admin, subscriptions),
      (behind) => Object.keys(behind).length === 0,
      { timeoutMs: 60000, intervalMs: 500, what: 'every consumer group to commit every message' },
    );
    await waitFor(
      () => deadLetters.caughtUp(admin),
      (done) => done,
      { timeoutMs: 30000, what: 'the dead letters to be read' },
    );
  }

  async function runRound(n: number): Promise<void> {
    const started = Date.now();
    const tag = `${n}${randomUUID().slice(0, 6)}`;
    const setupAgents = Array.from({ length: 30 }, () => randomUUID());
    await announce(setupAgents, `owner-setup-${tag}`);
    const world: RoundWorld = {
      round: `r${tag}`,
      now: Date.now(),
      owners: Array.from({ length: 40 }, (_, i) => `hostile-owner-${tag}-${i}`),
      futureOwners: Array.from({ length: 6 }, (_, i) => `hostile-future-owner-${tag}-${i}`),
      setupAgents,
      provisionerAgents: await registerThroughApi(6, tag),
      lifecycleAgents: Array.from({ length: 30 }, () => randomUUID()),
      shadowAgents: Array.from({ length: 20 }, (_, i) => `shadow-${tag}-${i}`),
    };
    const round = generateRound(world, SEED + n, SIZES);
    sent.push(...round.messages);
    await produce(round.messages);
    await settled();

    const report: RoundReport = { round: n, produced: round.messages.length, byTopic: {}, deadLetters: 0, seconds: 0, rssMiB: {} };
    for (const m of round.messages) {
      const entry = (report.byTopic[m.topic] ??= { valid: 0, replays: 0, refused: 0 });
      if (m.valid) entry.valid += 1;
      else if (m.replayOf) entry.replays += 1;
      else entry.refused += 1;
    }
    report.deadLetters = checkDeadLetters(round);
    await checkInboxes(round);
    await checkEffects(round, world);
    const health = await services.health();
    for (const [name, h] of Object.entries(health)) expect({ name, ...h }).toEqual({ name, running: true, live: 200, ready: 200 });
    for (const name of services.names) report.rssMiB[name] = services.rssMiB(name);
    report.seconds = Math.round((Date.now() - started) / 100) / 10;
    reports.push(report);
    console.log(`hostile Kafka round ${n}: ${JSON.stringify(report)}`);
  }

  /** Exactly one dead letter per refused message and consumer group, with its reason; none for anything else. */
  function checkDeadLetters(round: HostileRound): number {
    const expected = new Map<string, { message: HostileMessage; group: string }>();
    for (const m of sent)
      for (const service of m.deadLetteredBy) expected.set(`${m.id} ${groupOf(service, m.topic)}`, { message: m, group: groupOf(service, m.topic) });
    const found = new Map<string, CollectedRecord[]>();
    for (const record of deadLetters.records) {
      const key = `${record.headers[HOSTILE_ID_HEADER] ?? '(no hostile id)'} ${record.headers[DLQ_HEADERS.consumerGroup]}`;
      found.set(key, [...(found.get(key) ?? []), record]);
    }
    const unexpected = [...found.keys()].filter((key) => !expected.has(key));
    expect(unexpected).toEqual([]);
    const problems: string[] = [];
    const thisRound = new Set(round.messages);
    let inRound = 0;
    for (const [key, { message, group }] of expected) {
      const records = found.get(key) ?? [];
      if (thisRound.has(message)) inRound += records.length;
      if (records.length !== 1) {
        problems.push(`${key}: ${records.length} dead letters`);
        continue;
      }
      const { headers, topic } = records[0]!;
      const reason = headers[DLQ_HEADERS.error] ?? '';
      if (!message.reason!.test(reason)) problems.push(`${key} (${message.label}): reason "${reason.slice(0, 300)}" does not match ${message.reason}`);
      if (topic !== dlqTopicOf(topicOf(message.topic)) || headers[DLQ_HEADERS.originTopic] !== topicOf(message.topic)) problems.push(`${key}: on ${topic}`);
      const dlqHeaders = validateDlqHeaders(headers);
      if (!dlqHeaders.ok) problems.push(`${key}: dlq headers ${dlqHeaders.error}`);
      if (headers[DLQ_HEADERS.consumerGroup] !== group) problems.push(`${key}: group ${headers[DLQ_HEADERS.consumerGroup]}`);
    }
    expect(problems).toEqual([]);
    expect(deadLetters.records).toHaveLength(expected.size);
    return inRound;
  }

  /** Valid events (and the forged far-future one, where it is not refused) are in the inbox of each consumer; nothing else is. */
  async function checkInboxes(round: HostileRound): Promise<void> {
    const ids = [...new Set(round.messages.filter((m) => m.ceId).map((m) => m.ceId!))];
    const expected = new Set<string>();
    for (const m of round.messages) {
      if (!m.ceId || m.replayOf || m.topic === Topics.AgentActivity) continue; // the scoring path keeps no inbox
      for (const service of consumersOf(m.topic)) if (!m.deadLetteredBy.includes(service)) expected.add(`${groupOf(service, m.topic)} ${m.ceId}`);
    }
    const actual = new Set<string>();
    for (const [service, schema] of Object.entries(SCHEMA)) {
      const rows = await query<{ consumer: string; event_id: string }>(
        `SELECT "consumer", "event_id" FROM "${schema}"."inbox" WHERE "consumer" = $1 AND "event_id" = ANY($2)`,
        [`${prefix()}${service}`, ids],
      );
      for (const row of rows) actual.add(`${row.consumer} ${row.event_id}`);
    }
    expect([...expected].filter((k) => !actual.has(k))).toEqual([]);
    expect([...actual].filter((k) => !expected.has(k))).toEqual([]);
  }

  async function checkEffects(round: HostileRound, world: RoundWorld): Promise<void> {
    const e = round.expect;
    const owners = [...world.owners, ...world.futureOwners];
    const statusOf = async (sql: string, ids: string[]) => Object.fromEntries((await query(sql, [ids])).map((r) => [r.id, r.status]));
    const expectedOwners = Object.fromEntries([...e.ownersSuspended.map((o) => [o, 'suspended']), ...e.futureOwnersTerminated.map((o) => [o, 'terminated'])]);
    // The provisioner applied each owner's valid events (a replay claiming a termination changed nothing, the
    // far-future reinstatement did not make it deaf to the later termination), each once in its audit trail.
    expect(await statusOf(`SELECT "id", "status" FROM "provisioner"."owners" WHERE "id" = ANY($1)`, owners)).toEqual(expectedOwners);
    expect(await statusOf(`SELECT "owner_id" AS "id", "status" FROM "review_scheduler"."owners" WHERE "owner_id" = ANY($1)`, owners)).toEqual(expectedOwners);
    const audited = await query(
      `SELECT "cause_event_id" AS "id", "action", count(*)::int AS "n" FROM "provisioner"."audit_log" WHERE "subject_type" = 'owner' AND "cause_event_id" = ANY($1) GROUP BY 1, 2`,
      [e.identityEvents.map((x) => x.ceId)],
    );
    expect(audited.sort((a, b) => a.id.localeCompare(b.id))).toEqual(
      e.identityEvents.map((x) => ({ id: x.ceId, action: x.kind, n: 1 })).sort((a, b) => a.id.localeCompare(b.id)),
    );

    // Every consumer of agent.lifecycle.v1 knows each announced agent in its final state; a deprovisioning
    // replayed is one logout at containment.
    const lifecycleIds = [...e.lifecycleFinal.keys()];
    const finalStatus = Object.fromEntries(e.lifecycleFinal);
    for (const schema of ['behavior_baseliner', 'containment']) {
      expect(await statusOf(`SELECT "agent_id" AS "id", "status" FROM "${schema}"."known_agents" WHERE "agent_id" = ANY($1)`, lifecycleIds)).toEqual(
        finalStatus,
      );
    }
    expect(await statusOf(`SELECT "agent_id" AS "id", "status" FROM "review_scheduler"."agents" WHERE "agent_id" = ANY($1)`, lifecycleIds)).toEqual(
      finalStatus,
    );
    const logouts = await query(
      `SELECT "agent_id" AS "id", "kind", count(*)::int AS "n" FROM "containment"."actions" WHERE "agent_id" = ANY($1) GROUP BY 1, 2`,
      [lifecycleIds],
    );
    expect(logouts.sort((a, b) => a.id.localeCompare(b.id))).toEqual(
      lifecycleIds
        .filter((id) => finalStatus[id] === 'deprovisioned')
        .sort()
        .map((id) => ({ id, kind: 'deprovision', n: 1 })),
    );

    // Every activity event scored once: replays (same ce_id, some with other content) not counted again.
    for (const [agentId, count] of e.activityCount) {
      const baseline = await waitFor(
        () => api('behavior-baseliner', 'GET', `/agents/${agentId}/baseline`, undefined, [Role.SocAnalyst]),
        (r) => r.status === 200 && r.body.eventsLearnt >= count,
        { timeoutMs: 15000, what: `the baseline of ${agentId}` },
      );
      expect({ agentId, learnt: baseline.body.eventsLearnt, actions: baseline.body.usageWindow?.actions, registered: baseline.body.registered }).toEqual({
        agentId,
        learnt: count,
        actions: count,
        registered: true,
      });
    }

    // One incident per shadow agent, whatever was replayed; anomalies below every band open none.
    const incidents = await query(
      `SELECT "agent_id" AS "id", "kind", count(*)::int AS "n" FROM "containment"."incidents" WHERE "agent_id" = ANY($1) GROUP BY 1, 2`,
      [e.shadowAgents],
    );
    expect(incidents.sort((a, b) => a.id.localeCompare(b.id))).toEqual([...e.shadowAgents].sort().map((id) => ({ id, kind: 'shadow-agent', n: 1 })));
    expect(await query(`SELECT "episode_id" FROM "containment"."incident_episodes" WHERE "episode_id" = ANY($1::uuid[])`, [e.observedEpisodes])).toEqual([]);

    // Usage learnt as sent (a replay dated tomorrow ignored); one review per released incident.
    const seen = await query(`SELECT "agent_id" AS "id", "last_seen_at" FROM "review_scheduler"."agents" WHERE "agent_id" = ANY($1)`, [
      [...e.usageLastSeen.keys()],
    ]);
    expect(Object.fromEntries(seen.map((r) => [r.id, new Date(r.last_seen_at).toISOString()]))).toEqual(Object.fromEntries(e.usageLastSeen));
    const reviews = await query(
      `SELECT "agent_id" AS "id", count(*)::int AS "n" FROM "review_scheduler"."reviews" WHERE "agent_id" = ANY($1) AND "reason" = 'incident-released' GROUP BY 1`,
      [e.releasedAgents],
    );
    expect(reviews.sort((a, b) => a.id.localeCompare(b.id))).toEqual([...e.releasedAgents].sort().map((id) => ({ id, n: 1 })));

    // The provisioner applied the containment actions and review decisions (a replay asking for more did nothing).
    for (const agentId of e.suspendedProvisionerAgents) {
      expect({ agentId, status: (await api('provisioner', 'GET', `/agents/${agentId}`)).body.status }).toEqual({ agentId, status: 'suspended' });
    }
  }

  it(
    'round 1 (warm-up): every refused message dead-lettered once per consumer group with its reason, every valid one applied once, all services up',
    () => runRound(1),
    240000,
  );

  it('round 2, the same again with other input: the same outcome', () => runRound(2), 240000);

  it(`memory stays flat: from the end of round 1 to the end of round 2 no service gains more RSS than its bound (MiB: ${JSON.stringify(RSS_GROWTH_BOUND_MIB)})`, () => {
    expect(reports).toHaveLength(2);
    const growth = Object.fromEntries(services.names.map((name) => [name, Math.round((reports[1]!.rssMiB[name]! - reports[0]!.rssMiB[name]!) * 10) / 10]));
    console.log(
      `RSS after round 1: ${JSON.stringify(reports[0]!.rssMiB)}; after round 2: ${JSON.stringify(reports[1]!.rssMiB)}; growth (MiB): ${JSON.stringify(growth)}`,
    );
    for (const name of services.names)
      expect({ name, growth: growth[name]!, withinBound: growth[name]! <= RSS_GROWTH_BOUND_MIB[name] }).toEqual({
        name,
        growth: growth[name],
        withinBound: true,
      });
  });

  it('no token, secret or key the run used or saw appears in any line any service logged (scanned after shutdown)', async () => {
    expect(secrets.length).toBeGreaterThan(30);
    expect(await services.stopAndScanLogs(secrets)).toBe('');
  }, 60000);
});
