import { randomUUID } from 'node:crypto';

import { Admin } from 'kafkajs';

import { Role } from '@agentgov/auth';
import { dlqTopicOf, ServiceName, TOPIC_NAMES, TopicName, Topics } from '@agentgov/contracts';
import { UniversalLogoutWebhookBody, verifyWebhookSignature } from '@agentgov/revocation-connectors';
import { RecordingReceiver, ServiceHarness } from '@agentgov/service-testing';
import { waitFor, withTestDatabase } from '@agentgov/test-support';

import { BusPrincipal } from './bus-principal';
import { EventLog } from './event-log';
import { consumersOf, INBOUND_TOPICS } from './hostile-kafka-round';
import { uncommitted } from './kafka-observer';
import { RunningServices } from './running-services';

const WEBHOOK_SECRET = `hostile-gateway-secret-${randomUUID()}`;

/** Each service's Postgres schema. */
export const SCHEMA_OF: Record<ServiceName, string> = {
  provisioner: 'provisioner',
  'behavior-baseliner': 'behavior_baseliner',
  containment: 'containment',
  'review-scheduler': 'review_scheduler',
};

export interface RegisteredAgent {
  id: string;
  clientId: string;
  clientSecret: string;
  ownerId: string;
}

export type Receipt = { action_id: string; kind: string; origin: string; target: string; status: string; reason: string | null; next_attempt_at: Date };

/**
 * The four services as the hostile suite runs them (RunningServices: real processes, each on the broker's
 * locked-down listener as its own principal), with containment connected to the built-in issuer and to a gateway
 * (a real HTTP server that records what it is told, and can be made to fail), and everything an attacker or a
 * defender sees: principals to produce as, the topics and their dead letters, the APIs, each service's metrics,
 * and the receipts of every connector call.
 */
export class HostileSystem {
  /**
   * While it answers true for a call, the gateway is down for it: 503, retry after three seconds (so that a test
   * has time to decide something else before the retry, and the retry never races the test's next step).
   */
  gatewayDownFor: (body: UniversalLogoutWebhookBody) => boolean = () => false;
  readonly gateway = new RecordingReceiver((request) =>
    this.gatewayDownFor(JSON.parse(request.body) as UniversalLogoutWebhookBody) ? { status: 503, headers: { 'retry-after': '3' } } : { status: 200 },
  );
  /** Unique to the run: containment claims pending deliveries of every connector name it knows, from any test. */
  readonly connectors = (() => {
    const suffix = randomUUID().slice(0, 8);
    return { issuer: `hostile-issuer-${suffix}`, gateway: `hostile-gateway-${suffix}` };
  })();
  readonly services: RunningServices;
  log!: EventLog;
  admin!: Admin;
  private readonly principals: BusPrincipal[] = [];

  constructor(envs: Partial<Record<ServiceName, Record<string, string>>>) {
    this.services = new RunningServices(envs, {
      connectors: async (provisioner) => [
        {
          name: this.connectors.issuer,
          type: 'builtin-issuer',
          baseUrl: provisioner.url,
          bearerToken: await provisioner.token([Role.RevokeTokens], 'containment-service'),
        },
        { name: this.connectors.gateway, type: 'webhook', url: `${this.gateway.url}/logout`, secret: WEBHOOK_SECRET },
      ],
    });
  }

  async start(): Promise<void> {
    await this.gateway.start();
    await this.services.start();
    const kafka = this.harness('provisioner').kafka;
    this.admin = kafka.admin();
    await this.admin.connect();
    this.log = new EventLog(kafka, this.prefix, [...TOPIC_NAMES.filter((t) => t !== Topics.AgentActivity), ...INBOUND_TOPICS.map(dlqTopicOf)]);
    await this.log.start();
  }

  async stop(): Promise<void> {
    for (const principal of this.principals) await principal.disconnect().catch(() => undefined);
    await this.log?.stop();
    await this.admin?.disconnect();
    await this.services.stop();
    await this.gateway.stop();
  }

  get prefix(): string {
    return this.harness('provisioner').topicPrefix;
  }

  harness(name: ServiceName): ServiceHarness {
    return this.services.get(name);
  }

  /** The consumer group of a service on a topic (the baseliner scores activity in a group of its own). */
  groupOf(service: ServiceName, topic: TopicName): string {
    return `${this.prefix}${service}${service === 'behavior-baseliner' && topic === Topics.AgentActivity ? '.scoring' : ''}`;
  }

  /** A producer as one principal of the access table, on the locked-down listener. */
  async as(principal: string): Promise<BusPrincipal> {
    const producer = new BusPrincipal(principal, this.prefix);
    await producer.connect();
    this.principals.push(producer);
    return producer;
  }

  api(service: ServiceName, method: string, path: string, body?: unknown, roles: Role[] = [Role.Admin], sub?: string) {
    return this.harness(service).request(method, path, body, roles, sub);
  }

  query<T = any>(sql: string, params: unknown[] = []): Promise<T[]> {
    return withTestDatabase(async (c) => (await c.query(sql, params)).rows as T[]);
  }

  // ---- the registry, as its users reach it ----------------------------------------------------------------------

  async createOwner(): Promise<string> {
    const owner = await this.api('provisioner', 'POST', '/owners', { email: `hostile-${randomUUID()}@example.com`, displayName: 'Hostile Owner' });
    if (owner.status !== 201) throw new Error(`POST /owners answered ${owner.status}: ${JSON.stringify(owner.body)}`);
    return owner.body.id;
  }

  async registerAgent(ownerId: string, extra: Record<string, unknown> = {}): Promise<RegisteredAgent> {
    const agent = await this.api('provisioner', 'POST', '/agents', {
      name: `hostile agent ${randomUUID().slice(0, 8)}`,
      ownerId,
      purpose: 'crm-sync',
      platform: 'hostile-tests',
      riskTier: 'high',
      scopes: ['crm:read'],
      ...extra,
    });
    if (agent.status !== 201) throw new Error(`POST /agents answered ${agent.status}: ${JSON.stringify(agent.body)}`);
    return { id: agent.body.id, clientId: agent.body.clientId, clientSecret: agent.body.clientSecret, ownerId };
  }

  /** An access token from the built-in issuer, as the agent gets one. */
  async tokenOf(agent: RegisteredAgent): Promise<string> {
    const response = await fetch(`${this.harness('provisioner').url}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: agent.clientId, client_secret: agent.clientSecret }),
    });
    const body = (await response.json()) as { access_token?: string };
    if (response.status !== 200 || !body.access_token) throw new Error(`token for ${agent.id}: ${response.status} ${JSON.stringify(body)}`);
    return body.access_token;
  }

  /** What a resource server learns of a token (RFC 7662 introspection at the provisioner). */
  async isActive(token: string): Promise<boolean> {
    const answer = await this.api('provisioner', 'POST', '/oauth2/introspect', { token }, [Role.Introspect]);
    if (typeof answer.body?.active !== 'boolean') throw new Error(`introspection answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer.body.active;
  }

  async agentStatus(agentId: string): Promise<string> {
    return (await this.api('provisioner', 'GET', `/agents/${agentId}`)).body.status;
  }

  async ownerStatus(ownerId: string): Promise<string> {
    return (await this.api('provisioner', 'GET', `/owners/${ownerId}`)).body.status;
  }

  async waitForAgentStatus(agentId: string, status: string, what: string): Promise<void> {
    await waitFor(
      () => this.agentStatus(agentId),
      (s) => s === status,
      { timeoutMs: 30000, what },
    );
  }

  /** Each service's own copy of the registry, for these agents: what it would decide on. */
  async registryCopies(agentId: string): Promise<Record<string, { riskTier: string; status: string } | undefined>> {
    const row = async (table: string) =>
      (await this.query(`SELECT "risk_tier" AS "riskTier", "status" FROM ${table} WHERE "agent_id" = $1`, [agentId]))[0] as
        { riskTier: string; status: string } | undefined;
    return {
      'behavior-baseliner': await row('"behavior_baseliner"."known_agents"'),
      containment: await row('"containment"."known_agents"'),
      'review-scheduler': await row('"review_scheduler"."agents"'),
    };
  }

  /** Until every service that keeps a copy of the registry has learnt the agents. */
  async learntEverywhere(agentIds: string[]): Promise<void> {
    const count = async (table: string) =>
      (await this.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE "agent_id" = ANY($1)`, [agentIds]))[0]!.n;
    await waitFor(
      async () => [await count('"behavior_baseliner"."known_agents"'), await count('"containment"."known_agents"'), await count('"review_scheduler"."agents"')],
      (n) => n.every((x) => x === agentIds.length),
      { timeoutMs: 30000, what: 'every service to learn the agents' },
    );
  }

  // ---- containment, as the SOC and the connected systems see it -------------------------------------------------

  async incidentsOf(agentId: string): Promise<any[]> {
    return (await this.api('containment', 'GET', `/incidents?agentId=${encodeURIComponent(agentId)}`, undefined, [Role.SocAnalyst])).body.items;
  }

  /** Containment's actions about these agents, oldest first (kind, origin, who asked). */
  actionsOf(agentIds: string[]): Promise<Array<{ agent_id: string; kind: string; origin: string; requested_by: string; reason: string }>> {
    return this.query(
      `SELECT "agent_id", "kind", "origin", "requested_by", "reason" FROM "containment"."actions" WHERE "agent_id" = ANY($1) ORDER BY "sequence"`,
      [agentIds],
    );
  }

  /** One receipt per action and connector about the agent, in the order the actions were decided. */
  receiptsOf(agentId: string): Promise<Receipt[]> {
    return this.query(
      `SELECT d."action_id", a."kind", a."origin", d."target", d."status", d."reason", d."next_attempt_at" FROM "containment"."deliveries" d
       JOIN "containment"."actions" a ON a."id" = d."action_id" WHERE a."agent_id" = $1 ORDER BY a."sequence", d."target"`,
      [agentId],
    );
  }

  /** Every call the gateway received about the agent (each signature checked), in arrival order. */
  gatewayCalls(agentId: string): Array<UniversalLogoutWebhookBody & { at: number }> {
    return this.gateway.requests
      .map((r) => ({ r, body: JSON.parse(r.body) as UniversalLogoutWebhookBody }))
      .filter(({ body }) => body.agentId === agentId)
      .map(({ r, body }) => {
        if (!verifyWebhookSignature(WEBHOOK_SECRET, String(r.headers['agentgov-signature']), r.body)) throw new Error(`unsigned gateway call about ${agentId}`);
        return { ...body, at: r.at };
      });
  }

  // ---- the bus, as the operator sees it -------------------------------------------------------------------------

  /** Whether a service's consumer applied (or skipped as a duplicate) an event: its inbox holds the id. */
  async inInbox(service: ServiceName, eventId: string): Promise<boolean> {
    const rows = await this.query(`SELECT 1 FROM "${SCHEMA_OF[service]}"."inbox" WHERE "consumer" = $1 AND "event_id" = $2`, [
      `${this.prefix}${service}`,
      eventId,
    ]);
    return rows.length > 0;
  }

  /** Until the services' consumers of the topic have all taken the event into their inbox. */
  async consumedEverywhere(topic: TopicName, eventId: string): Promise<void> {
    const services = consumersOf(topic);
    await waitFor(
      async () => Promise.all(services.map((s) => this.inInbox(s, eventId))),
      (seen) => seen.every(Boolean),
      { timeoutMs: 30000, what: `${services.join(', ')} to consume ${topic} event ${eventId}` },
    );
  }

  /** Until the service's group on the topic has committed past the record: it was consumed, whatever it did. */
  async consumedPast(service: ServiceName, topic: TopicName, partition: number, offset: string): Promise<void> {
    const group = this.groupOf(service, topic);
    await waitFor(
      async () => {
        const [committed] = await this.admin.fetchOffsets({ groupId: group, topics: [this.prefix + topic] });
        return BigInt(committed?.partitions.find((p) => p.partition === partition)?.offset ?? '-1');
      },
      (at) => at > BigInt(offset),
      { timeoutMs: 30000, what: `${group} to consume ${topic} partition ${partition} offset ${offset}` },
    );
  }

  /**
   * Until the system is at rest: every consumer group has committed everything on every topic a service reads,
   * and no service holds an event it has not published, twice in a row. Whatever an attack could still cause
   * has happened by then.
   */
  async quiesce(what: string): Promise<void> {
    const subscriptions = INBOUND_TOPICS.flatMap((topic) =>
      consumersOf(topic).map((service) => ({ group: this.groupOf(service, topic), topic: this.prefix + topic })),
    );
    const pending = async () => {
      let n = 0;
      for (const schema of Object.values(SCHEMA_OF)) {
        n += (await this.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}"."outbox" WHERE starts_with("topic", $1)`, [this.prefix]))[0]!.n;
      }
      return n;
    };
    let calm = 0;
    await waitFor(
      async () => {
        const behind = Object.keys(await uncommitted(this.admin, subscriptions)).length;
        const unpublished = await pending();
        const behindAfter = Object.keys(await uncommitted(this.admin, subscriptions)).length;
        calm = behind === 0 && unpublished === 0 && behindAfter === 0 ? calm + 1 : 0;
        return { calm, behind, unpublished };
      },
      (state) => state.calm >= 2,
      { timeoutMs: 60000, intervalMs: 250, what: `the system to come to rest (${what})` },
    );
  }

  /** The sum of a counter on a service's /metrics over the series whose labels include `labels`. */
  async metric(service: ServiceName, name: string, labels: Record<string, string> = {}): Promise<number> {
    const text = await (await fetch(`${this.harness(service).url}/metrics`)).text();
    let sum = 0;
    for (const match of text.matchAll(new RegExp(`^${name}(?:\\{([^}]*)\\})? ([0-9.e+-]+)$`, 'gm'))) {
      const found = Object.fromEntries([...(match[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
      if (Object.entries(labels).every(([k, v]) => found[k] === v)) sum += Number(match[2]);
    }
    return sum;
  }

  /** Every service running, live and ready. */
  async health(): Promise<Record<string, { running: boolean; live: number; ready: number }>> {
    return this.services.health();
  }
}
