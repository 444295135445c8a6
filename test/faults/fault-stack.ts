import { randomUUID } from 'node:crypto';

import { Partitioners, Producer } from 'kafkajs';

import { SERVICE_NAMES, ServiceName, Topics } from '@agentgov/contracts';
import { encodeEvent } from '@agentgov/messaging';
import { RecordingReceiver, ServiceHarness, Stack } from '@agentgov/service-testing';
import { waitFor, withTestDatabase } from '@agentgov/test-support';

export const SERVICES = SERVICE_NAMES;
export type Service = ServiceName;

/** Agents per owner: 25 trees of a root and three levels of sub-agents. */
const TREES = 25;
const DEPTH = 4;
/** A restarted service waits out its dead predecessor's Kafka session before it listens. */
const START_TIMEOUT_MS = 90_000;
const WEBHOOK_SECRET = 'fault-test-webhook-secret-of-32-characters-or-more';

export interface ContainmentRow {
  agent_id: string;
  action_id: string;
  kind: string;
  target: string | null;
  status: string | null;
}

/**
 * The four services as processes on fixed ports (a restarted provisioner must be where containment's connector
 * calls it), containment reaching the built-in issuer and a recording webhook under connector names of their
 * own, and a steady flow of agent activity: what the fault tests break, and the invariants they check after.
 */
export class FaultStack {
  readonly receiver = new RecordingReceiver();
  readonly webhook = `fault-webhook-${randomUUID().slice(0, 8)}`;
  private readonly issuer = `fault-issuer-${randomUUID().slice(0, 8)}`;
  private readonly stack = new Stack({
    ports: 'kept',
    startTimeoutMs: START_TIMEOUT_MS,
    services: {
      'behavior-baseliner': { SCORING_CHECKPOINT_INTERVAL_MS: '500' },
      containment: { DELIVERY_RETRY_BASE_MS: '100', DELIVERY_LEASE_MS: '3000' },
    },
    connectors: async (provisioner) => [
      { name: this.issuer, type: 'builtin-issuer', baseUrl: provisioner.url, bearerToken: await provisioner.token(['revoke-tokens'], 'containment-service') },
      { name: this.webhook, type: 'webhook', url: `${this.receiver.url}/logout`, secret: WEBHOOK_SECRET },
    ],
  });
  readonly harnesses = new Map<Service, ServiceHarness>(SERVICES.map((s) => [s, this.stack.harness(s)]));
  private producer?: Producer;
  private loading = false;
  private load?: Promise<void>;
  private readonly agents: string[] = [];

  get provisioner(): ServiceHarness {
    return this.stack.provisioner;
  }

  async start(): Promise<void> {
    await this.receiver.start();
    await this.stack.start();
    this.producer = this.provisioner.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await this.producer.connect();
  }

  /** Stops the load and the services; the stack deletes its topics and consumer groups. */
  async stop(): Promise<void> {
    await this.stopActivity();
    await this.producer?.disconnect().catch(() => undefined);
    await this.stack.stop();
    await this.receiver.stop();
  }

  async admin(method: string, path: string, body?: unknown): Promise<any> {
    const response = await this.provisioner.request(method, path, body, ['admin']);
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  }

  /** An owner with TREES × DEPTH agents registered through the API (so every service hears of them), and a token of each root. */
  async ownerWithAgents(): Promise<{ ownerId: string; agents: string[]; tokens: string[] }> {
    const owner = await this.admin('POST', '/owners', { email: `leaver-${randomUUID()}@example.com`, displayName: 'Leaver' });
    const agents: string[] = [];
    const tokens: string[] = [];
    await Promise.all(
      Array.from({ length: TREES }, async (_, t) => {
        let parentAgentId: string | undefined;
        for (let level = 0; level < DEPTH; level++) {
          const agent = await this.admin('POST', '/agents', {
            name: `tree ${t} level ${level}`,
            ownerId: owner.id,
            purpose: 'crm-sync',
            platform: 'langgraph',
            riskTier: 'high',
            scopes: ['crm.read'],
            ...(parentAgentId ? { parentAgentId } : {}),
          });
          agents.push(agent.id);
          if (level === 0) tokens.push(await this.issueToken(agent.id, agent.clientSecret));
          parentAgentId = agent.id;
        }
      }),
    );
    this.agents.push(...agents);
    return { ownerId: owner.id, agents, tokens };
  }

  async terminate(ownerId: string): Promise<void> {
    await this.admin('POST', `/owners/${ownerId}/lifecycle-events`, { kind: 'owner.terminated', source: 'workday', occurredAt: new Date().toISOString() });
  }

  private async issueToken(agentId: string, secret: string): Promise<string> {
    const response = await fetch(`${this.provisioner.url}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${agentId}:${secret}`).toString('base64')}` },
      body: 'grant_type=client_credentials',
    });
    if (response.status !== 200) throw new Error(`token for ${agentId}: ${response.status}`);
    return ((await response.json()) as { access_token: string }).access_token;
  }

  async active(token: string): Promise<boolean> {
    const response = await this.provisioner.request('POST', '/oauth2/introspect', { token }, ['introspect']);
    if (response.status !== 200) throw new Error(`introspection answered ${response.status}`);
    return response.body.active as boolean;
  }

  /**
   * About 300 activity events a second from the agents registered so far, until stopped. A send the broker
   * refuses (it is restarting) is retried later; what counts is what reached the topic.
   */
  startActivity(): void {
    this.loading = true;
    let n = 0;
    this.load = (async () => {
      while (this.loading) {
        const agents = this.agents.length > 0 ? this.agents : [randomUUID()];
        const messages = Array.from({ length: 30 }, (_, i) => {
          const e = encodeEvent({
            topic: Topics.AgentActivity,
            source: '/tests/faults',
            data: {
              agentId: agents[(n + i) % agents.length],
              occurredAt: new Date().toISOString(),
              action: 'crm.read',
              resourceType: 'crm.contact',
              tool: 'crm-api',
              recordsTouched: 1,
              outcome: 'allowed',
            },
          });
          return { key: e.key, value: e.value, headers: e.headers };
        });
        n += messages.length;
        await this.producer!.send({ topic: this.provisioner.topic(Topics.AgentActivity), messages }).catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
  }

  async stopActivity(): Promise<void> {
    this.loading = false;
    await this.load;
  }

  async statuses(ids: string[]): Promise<string[]> {
    return withTestDatabase(async (c) =>
      (await c.query(`SELECT "status" FROM "provisioner"."agents" WHERE "id" = ANY($1)`, [ids])).rows.map((r) => r.status as string),
    );
  }

  /** Per agent: its containment actions, and per action and connector the delivery row with its status. */
  async containmentOf(agentIds: string[]): Promise<ContainmentRow[]> {
    return withTestDatabase(
      async (c) =>
        (
          await c.query(
            `SELECT a."agent_id", a."id" AS "action_id", a."kind", d."target", d."status" FROM "containment"."actions" a
             LEFT JOIN "containment"."deliveries" d ON d."action_id" = a."id" WHERE a."agent_id" = ANY($1)`,
            [agentIds],
          )
        ).rows,
    );
  }

  /** Readiness of each service now (a service that does not answer is not ready). */
  async readiness(): Promise<Record<Service, boolean>> {
    const entries = await Promise.all(
      SERVICES.map(async (s) => {
        try {
          return [s, (await fetch(`${this.harnesses.get(s)!.url}/health/ready`, { signal: AbortSignal.timeout(3000) })).status === 200] as const;
        } catch {
          return [s, false] as const;
        }
      }),
    );
    return Object.fromEntries(entries) as Record<Service, boolean>;
  }

  /**
   * After the faults: every agent deprovisioned once with its tokens dead, one delivery per action and
   * connector and none unsettled, the webhook called for each under its idempotency key and for nothing else,
   * every activity event on the topic scored, every consumer group of the stack caught up, and the
   * review-scheduler aware of every deprovisioning.
   */
  async expectEverythingSettled(rounds: Array<{ agents: string[]; tokens: string[] }>): Promise<ContainmentRow[]> {
    const all = rounds.flatMap((r) => r.agents);
    await waitFor(
      () => this.statuses(all),
      (s) => s.length === all.length && s.every((x) => x === 'deprovisioned'),
      { timeoutMs: 90000, what: 'every agent of every owner deprovisioned' },
    );
    for (const round of rounds) expect(await Promise.all(round.tokens.map((t) => this.active(t)))).toEqual(round.tokens.map(() => false));

    // (The probe reports what is missing or unsettled, not every row.)
    const unsettled = async () => {
      const rows = await this.containmentOf(all);
      const seen = new Set(rows.map((x) => x.agent_id));
      return {
        agentsWithoutAction: all.filter((a) => !seen.has(a)).length,
        unsettled: rows.filter((r) => r.status !== 'confirmed' && r.status !== 'sent').slice(0, 5),
      };
    };
    await waitFor(unsettled, (u) => u.agentsWithoutAction === 0 && u.unsettled.length === 0, { timeoutMs: 90000, what: 'every delivery settled' }).catch(
      async (error: Error) => {
        throw new Error(`${error.message}\n${await this.diagnosis()}`);
      },
    );
    const rows = await this.containmentOf(all);

    // Exactly one deprovisioning per agent. (The activity load can itself look anomalous to the baseliner and
    // have policy contain an agent now and then; those actions must settle the same way.)
    const deprovisions = new Map<string, Set<string>>();
    for (const row of rows) if (row.kind === 'deprovision') deprovisions.set(row.agent_id, (deprovisions.get(row.agent_id) ?? new Set()).add(row.action_id));
    expect(all.filter((agent) => deprovisions.get(agent)?.size !== 1)).toEqual([]);
    const perActionTarget = new Map<string, number>();
    for (const d of rows.filter((r) => r.target !== null))
      perActionTarget.set(`${d.action_id}/${d.target}`, (perActionTarget.get(`${d.action_id}/${d.target}`) ?? 0) + 1);
    expect([...perActionTarget.entries()].filter(([, n]) => n !== 1)).toEqual([]);

    // The webhook was called for every action under its idempotency key (action and connector); a call repeated
    // after a crash carries the same key, and no call came without a delivery behind it.
    const expectedKeys = new Set(rows.filter((d) => d.target === this.webhook).map((d) => `${d.action_id}:${this.webhook}`));
    const keys = new Set(this.receiver.requests.map((r) => String(r.headers['idempotency-key'])));
    expect([...expectedKeys].filter((k) => !keys.has(k))).toEqual([]);
    expect([...keys].filter((k) => !expectedKeys.has(k))).toEqual([]);

    await this.stopActivity();
    await this.expectActivityScored();
    await this.expectConsumersCaughtUp();

    // The review-scheduler heard of every deprovisioning (no API lists its view of an agent's status).
    const scheduler = await withTestDatabase(async (c) =>
      (await c.query(`SELECT "status" FROM "review_scheduler"."agents" WHERE "agent_id" = ANY($1)`, [all])).rows.map((r) => r.status as string),
    );
    expect(scheduler).toEqual(all.map(() => 'deprovisioned'));
    return rows;
  }

  /** The baseliner's checkpoints cover every offset of the activity topic: each event scored exactly once. */
  private async expectActivityScored(): Promise<void> {
    const admin = this.provisioner.kafka.admin();
    await admin.connect();
    try {
      const end = (await admin.fetchTopicOffsets(this.provisioner.topic(Topics.AgentActivity))).reduce((sum, p) => sum + Number(p.high), 0);
      const group = `${this.provisioner.topicPrefix}behavior-baseliner.scoring`;
      await waitFor(
        () =>
          withTestDatabase(async (c) =>
            Number(
              (
                await c.query(`SELECT COALESCE(sum("next_offset"), 0)::bigint AS n FROM "behavior_baseliner"."partition_checkpoints" WHERE "consumer" = $1`, [
                  group,
                ])
              ).rows[0].n,
            ),
          ),
        (n) => n === end,
        { timeoutMs: 60000, what: `the baseliner's checkpoints to cover all ${end} activity events` },
      );
    } finally {
      await admin.disconnect();
    }
  }

  /** What a failed wait reports besides its own probe: lagging consumer groups and each service's warnings. */
  private async diagnosis(): Promise<string> {
    const lagging = await this.laggingPartitions().catch((error: Error) => [`(lag unknown: ${error.message})`]);
    const warnings = [...this.harnesses.entries()].map(([service, h]) => {
      const lines = h.service
        .stdout()
        .split('\n')
        .filter((l) => /"level":(40|50|60)/.test(l));
      return `${service}: ${lines.length} warnings or errors; last: ${lines.slice(-8).join('\n  ')}`;
    });
    return [`lagging: ${JSON.stringify(lagging)}`, ...warnings].join('\n');
  }

  /** How many offsets in [from, to) of a partition the consumer group recorded in its service's inbox. */
  private inboxHas(groupId: string, topic: string, partition: number, from: number, to: number): Promise<number> {
    const union = ['provisioner', 'behavior_baseliner', 'containment', 'review_scheduler']
      .map(
        (schema) => `SELECT "offset" FROM "${schema}"."inbox" WHERE "consumer" = $1 AND "topic" = $2 AND "partition" = $3 AND "offset" >= $4 AND "offset" < $5`,
      )
      .join(' UNION ALL ');
    return withTestDatabase(async (c) =>
      Number((await c.query(`SELECT count(*)::int AS n FROM (${union}) o`, [groupId, topic, partition, from, to])).rows[0].n),
    );
  }

  /** Every consumer group of the stack has caught up with every topic it reads: no event lost or stuck. */
  private async expectConsumersCaughtUp(): Promise<void> {
    await waitFor(
      () => this.laggingPartitions(),
      (lagging) => lagging.length === 0,
      { timeoutMs: 60000, intervalMs: 1000, what: 'every consumer group caught up' },
    );
  }

  /** Every partition a consumer group of the stack has committed short of its end, with what its inbox holds. */
  private async laggingPartitions(): Promise<string[]> {
    const admin = this.provisioner.kafka.admin();
    await admin.connect();
    try {
      const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(this.provisioner.topicPrefix));
      expect(groups.length).toBeGreaterThanOrEqual(4);
      const lagging: string[] = [];
      for (const groupId of groups) {
        for (const { topic, partitions } of await admin.fetchOffsets({ groupId })) {
          const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
          for (const p of partitions) {
            const end = ends.get(p.partition) ?? 0;
            if (Number(p.offset) >= end) continue;
            // Whether the events behind the committed offset were processed tells a lost commit from a stuck event.
            const processed = await this.inboxHas(groupId, topic.slice(this.provisioner.topicPrefix.length), p.partition, Number(p.offset), end);
            lagging.push(`${groupId} ${topic}[${p.partition}] at ${p.offset} of ${end} (${processed} of those in its inbox)`);
          }
        }
      }
      return lagging;
    } finally {
      await admin.disconnect();
    }
  }
}
