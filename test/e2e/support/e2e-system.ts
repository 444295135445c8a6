import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { compactVerify, createLocalJWKSet, decodeJwt } from 'jose';
import { Consumer } from 'kafkajs';

import { Role } from '@agentgov/auth';
import { TopicName, TopicPayloads, Topics } from '@agentgov/contracts';
import { headersToStrings } from '@agentgov/messaging';
import { UniversalLogoutWebhookBody, verifyWebhookSignature } from '@agentgov/revocation-connectors';
import { RecordingReceiver, ServiceHarness, Stack, StackOptions } from '@agentgov/service-testing';
import { uniqueName, waitFor, withTestDatabase } from '@agentgov/test-support';

export const DAY = 86_400_000;
const WEBHOOK_SECRET = `e2e-webhook-secret-${randomUUID()}`;
const SSF_AUDIENCE = 'https://gateway.example/ssf';

/** The vendors' published payloads (test/fixtures/real-world, see SOURCES.md). */
export function realWorld(relativePath: string): any {
  return JSON.parse(readFileSync(resolve(__dirname, '../../fixtures/real-world', relativePath), 'utf8'));
}

export interface RecordedEvent<T extends TopicName = TopicName> {
  topic: T;
  id: string;
  key: string;
  headers: Record<string, string>;
  data: TopicPayloads[T];
}

/**
 * Every event on the stack's topics from the beginning, as any other consumer of the cluster would read them
 * (one consumer group of its own), kept in memory so that scenarios wait for events instead of re-reading.
 */
export class TopicRecorder {
  readonly events: RecordedEvent[] = [];
  private consumer?: Consumer;

  constructor(private readonly harness: ServiceHarness) {}

  async start(topics: TopicName[]): Promise<void> {
    const prefix = this.harness.topicPrefix;
    this.consumer = this.harness.kafka.consumer({ groupId: uniqueName('e2e_recorder'), maxWaitTimeInMs: 100 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: topics.map((t) => prefix + t), fromBeginning: true });
    let joined: () => void = () => undefined;
    const ready = new Promise<void>((r) => (joined = r));
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => joined());
    await this.consumer.run({
      eachMessage: async ({ topic, message }) => {
        const headers = headersToStrings(message.headers);
        this.events.push({
          topic: topic.slice(prefix.length) as TopicName,
          id: headers['ce_id'],
          key: message.key?.toString('utf8') ?? '',
          headers,
          data: JSON.parse(message.value?.toString('utf8') ?? 'null'),
        });
      },
    });
    await ready;
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }

  of<T extends TopicName>(topic: T, where: (data: TopicPayloads[T], event: RecordedEvent<T>) => boolean = () => true): RecordedEvent<T>[] {
    return (this.events.filter((e) => e.topic === topic) as RecordedEvent<T>[]).filter((e) => where(e.data, e));
  }

  /** Waits until `count` events match (and, after `settleMs`, that no more did), then returns them. */
  async await<T extends TopicName>(
    topic: T,
    where: (data: TopicPayloads[T]) => boolean,
    count: number,
    what: string,
    settleMs = 0,
  ): Promise<RecordedEvent<T>[]> {
    await waitFor(
      async () => this.of(topic, where).length,
      (n) => n >= count,
      { timeoutMs: 30000, intervalMs: 100, what },
    );
    if (settleMs) await new Promise((r) => setTimeout(r, settleMs));
    return this.of(topic, where);
  }
}

export interface RegisteredAgent {
  id: string;
  clientSecret: string;
  ownerId: string;
}

export interface E2eSystemOptions {
  env?: StackOptions['env'];
  services?: StackOptions['services'];
}

/**
 * The four services, containment connected to the built-in issuer, a webhook receiver and a Shared Signals
 * receiver (real HTTP servers that record what reaches them), and the users' view of it all: the APIs with role
 * tokens, the topics, the connected systems. Connector names carry a random suffix: containment claims pending
 * deliveries of every connector name it knows, from any test on the shared database.
 */
export class E2eSystem {
  stack!: Stack;
  readonly webhook = new RecordingReceiver();
  readonly ssf = new RecordingReceiver(() => ({ status: 202 }));
  readonly connectors = (() => {
    const suffix = randomUUID().slice(0, 8);
    return { issuer: `e2e-issuer-${suffix}`, webhook: `e2e-gateway-${suffix}`, ssf: `e2e-ssf-${suffix}` };
  })();
  recorder!: TopicRecorder;

  constructor(private readonly options: E2eSystemOptions = {}) {}

  get provisioner(): ServiceHarness {
    return this.stack.provisioner;
  }
  get baseliner(): ServiceHarness {
    return this.stack.baseliner;
  }
  get containment(): ServiceHarness {
    return this.stack.containment;
  }
  get reviewScheduler(): ServiceHarness {
    return this.stack.reviewScheduler;
  }

  async start(): Promise<void> {
    await Promise.all([this.webhook.start(), this.ssf.start()]);
    this.stack = new Stack({
      env: this.options.env,
      services: {
        ...this.options.services,
        'behavior-baseliner': { SCORING_THREADS: '1', SCORING_CHECKPOINT_INTERVAL_MS: '500', ...this.options.services?.['behavior-baseliner'] },
        containment: { DELIVERY_RETRY_BASE_MS: '100', ...this.options.services?.containment },
      },
      connectors: async (provisioner) => [
        {
          name: this.connectors.issuer,
          type: 'builtin-issuer',
          baseUrl: provisioner.url,
          bearerToken: await provisioner.token(['revoke-tokens'], 'containment-service'),
        },
        { name: this.connectors.webhook, type: 'webhook', url: `${this.webhook.url}/logout`, secret: WEBHOOK_SECRET },
        { name: this.connectors.ssf, type: 'ssf', endpoint: `${this.ssf.url}/events`, audience: SSF_AUDIENCE, issuer: 'https://containment.e2e.example' },
      ],
    });
    await this.stack.start();
    this.recorder = new TopicRecorder(this.provisioner);
    // Every topic but the high-volume activity and usage streams.
    await this.recorder.start([
      Topics.IdentityLifecycle,
      Topics.AgentLifecycle,
      Topics.AgentAnomaly,
      Topics.ContainmentAction,
      Topics.ContainmentAlert,
      Topics.Review,
      Topics.ReviewDecision,
    ]);
  }

  async stop(): Promise<void> {
    await this.recorder?.stop();
    await this.stack?.stop();
    await Promise.all([this.webhook.stop(), this.ssf.stop()]);
  }

  /** A call to an API as a user with these roles; throws on anything but 2xx, naming the answer. */
  async call(harness: ServiceHarness, method: string, path: string, body?: unknown, roles: Role[] = ['admin'], sub?: string): Promise<any> {
    const response = await harness.request(method, path, body, roles, sub);
    if (response.status < 200 || response.status >= 300) throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(response.body)}`);
    return response.body;
  }

  async createOwner(extra: Record<string, unknown> = {}): Promise<string> {
    return (await this.call(this.provisioner, 'POST', '/owners', { email: `owner-${randomUUID()}@example.com`, ...extra })).id;
  }

  async registerAgent(ownerId: string, extra: Record<string, unknown> = {}): Promise<RegisteredAgent> {
    const body = await this.call(this.provisioner, 'POST', '/agents', {
      name: `agent-${randomUUID().slice(0, 8)}`,
      ownerId,
      purpose: 'crm-sync',
      platform: 'langgraph',
      riskTier: 'medium',
      scopes: ['crm.read', 'crm.write'],
      ...extra,
    });
    return { id: body.id, clientSecret: body.clientSecret, ownerId: body.ownerId };
  }

  /** An access token from the built-in issuer (client credentials grant, as the agent gets one). */
  async tokenOf(agent: RegisteredAgent): Promise<string> {
    const response = await fetch(`${this.provisioner.url}/oauth2/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${agent.id}:${agent.clientSecret}`).toString('base64')}`,
      },
      body: 'grant_type=client_credentials',
    });
    const body = (await response.json()) as { access_token?: string };
    if (response.status !== 200 || !body.access_token) throw new Error(`token request for ${agent.id} answered ${response.status}: ${JSON.stringify(body)}`);
    return body.access_token;
  }

  /** RFC 7662 introspection at the provisioner, as a resource server asks it. */
  async isActive(token: string): Promise<boolean> {
    const body = await this.call(this.provisioner, 'POST', '/oauth2/introspect', { token }, ['introspect']);
    if (typeof body.active !== 'boolean') throw new Error(`introspection answered ${JSON.stringify(body)}`);
    return body.active;
  }

  async statusOf(agentId: string): Promise<string> {
    return (await this.call(this.provisioner, 'GET', `/agents/${agentId}`, undefined, ['soc-analyst'])).status;
  }

  async waitForStatuses(agentIds: string[], status: string, what: string, timeoutMs = 30000): Promise<void> {
    await waitFor(
      () => Promise.all(agentIds.map((id) => this.statusOf(id))),
      (s) => s.every((x) => x === status),
      { timeoutMs, intervalMs: 100, what },
    );
  }

  /**
   * Waits until the services that keep their own view of the registry (the baseliner's scoring, containment, the
   * review-scheduler) have learnt the agents from agent.lifecycle.v1. No API says so before their first activity,
   * incident or review, so this reads (never writes) their registry tables, for these agents only.
   */
  async learntEverywhere(agentIds: string[]): Promise<void> {
    const count = (table: string) =>
      withTestDatabase(async (c) => (await c.query(`SELECT count(*)::int AS n FROM ${table} WHERE "agent_id" = ANY($1)`, [agentIds])).rows[0].n as number);
    await waitFor(
      async () => [await count('"behavior_baseliner"."known_agents"'), await count('"containment"."known_agents"'), await count('"review_scheduler"."agents"')],
      (n) => n.every((x) => x === agentIds.length),
      { timeoutMs: 20000, intervalMs: 100, what: 'every service to learn the agents' },
    );
  }

  /** What the webhook receiver (a gateway) was told about the agent, each call's signature checked. */
  webhookCalls(agentId: string): UniversalLogoutWebhookBody[] {
    return this.webhook.requests
      .map((r) => ({ r, body: JSON.parse(r.body) as UniversalLogoutWebhookBody }))
      .filter(({ body }) => body.agentId === agentId)
      .map(({ r, body }) => {
        if (!verifyWebhookSignature(WEBHOOK_SECRET, String(r.headers['agentgov-signature']), r.body))
          throw new Error(`webhook call about ${agentId} has a bad signature`);
        return body;
      });
  }

  /** Distinct calls (by idempotency key) the webhook receiver had about the agent, as kinds in order. */
  webhookKinds(agentId: string): string[] {
    const seen = new Set<string>();
    return this.webhookCalls(agentId)
      .filter((c) => (seen.has(c.deliveryId) ? false : (seen.add(c.deliveryId), true)))
      .map((c) => c.kind);
  }

  /** The CAEP SETs the Shared Signals receiver got about the agent, each verified with containment's published keys. */
  async ssfEventsAbout(agentId: string): Promise<string[]> {
    const jwks = createLocalJWKSet((await (await fetch(`${this.containment.url}/.well-known/ssf-jwks.json`)).json()) as { keys: [] });
    const events: string[] = [];
    for (const request of this.ssf.requests) {
      const claims = decodeJwt(request.body);
      if ((claims.sub_id as { id?: string } | undefined)?.id !== agentId) continue;
      await compactVerify(request.body, jwks);
      if (request.headers['content-type'] !== 'application/secevent+jwt' || claims.aud !== SSF_AUDIENCE)
        throw new Error('SET pushed with the wrong type or audience');
      events.push(...Object.keys(claims.events as Record<string, unknown>).map((uri) => uri.split('/').pop() as string));
    }
    return events.sort();
  }

  /**
   * Containment's receipts (one per connector) of the actions about these agents. A registry-caused action has no
   * incident, so no API shows its receipts: read from containment's deliveries, for these agents only.
   */
  async receipts(agentIds: string[]): Promise<Array<{ agentId: string; kind: string; origin: string; connector: string; status: string }>> {
    return withTestDatabase(
      async (c) =>
        (
          await c.query(
            `SELECT a."agent_id" AS "agentId", a."kind", a."origin", d."target" AS "connector", d."status" FROM "containment"."deliveries" d
             JOIN "containment"."actions" a ON a."id" = d."action_id" WHERE a."agent_id" = ANY($1) ORDER BY a."agent_id", a."created_at", d."target"`,
            [agentIds],
          )
        ).rows,
    );
  }

  /** The receipt recorded last among the actions about these agents, with its delivery id (as the connector call's span names it). */
  async lastReceipt(agentIds: string[]): Promise<{ deliveryId: string; connector: string; status: string }> {
    const [row] = await withTestDatabase(
      async (c) =>
        (
          await c.query(
            `SELECT d."id"::text AS "deliveryId", d."target" AS "connector", d."status" FROM "containment"."deliveries" d
             JOIN "containment"."actions" a ON a."id" = d."action_id" WHERE a."agent_id" = ANY($1) ORDER BY d."updated_at" DESC, d."id" DESC LIMIT 1`,
            [agentIds],
          )
        ).rows,
    );
    return row;
  }

  /** The receipts expected when every connector confirmed an action of this kind and origin. */
  expectedReceipts(agentId: string, kind: string, origin: string): Array<{ agentId: string; kind: string; origin: string; connector: string; status: string }> {
    const connectors =
      kind === 'release' ? [this.connectors.issuer, this.connectors.webhook] : [this.connectors.issuer, this.connectors.webhook, this.connectors.ssf];
    return connectors.sort().map((connector) => ({ agentId, kind, origin, connector, status: 'confirmed' }));
  }
}
