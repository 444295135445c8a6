import { generateKeyPairSync, KeyObject, KeyPairKeyObjectResult, randomUUID } from 'node:crypto';

import { exportJWK, JWK } from 'jose';
import { Partitioners } from 'kafkajs';

import { mintDevToken, Role } from '@agentgov/auth';
import { TopicName, TopicPayloads } from '@agentgov/contracts';
import { createKafkaClient, encodeEvent } from '@agentgov/messaging';

import { freePort, spawnService, SpawnedService, TEST_DATABASE_URL, TEST_KAFKA_BROKERS, uniqueName, waitFor } from '@agentgov/test-support';

/**
 * A service as a real process on the real broker and database, with its own topic prefix (and so its own
 * consumer groups) so that a test file sees only its own events. Tokens for its API are minted with a key
 * only this harness has.
 */
export interface ServiceHarnessOptions {
  /** Environment on top of the harness's own. */
  env?: Record<string, string>;
  /** Node flags for the service process, e.g. ['--cpu-prof']. */
  nodeArgs?: string[];
  /**
   * How long start() waits for /health/live. A service restarted after a kill -9 joins its consumer groups only
   * once the dead member's Kafka session has expired (30 s by default), and listens after that.
   */
  startTimeoutMs?: number;
}

export class ServiceHarness {
  readonly topicPrefix: string;
  readonly kafka = createKafkaClient({ brokers: TEST_KAFKA_BROKERS, clientId: 'service-tests' });
  service!: SpawnedService;
  private privateJwk!: JWK;
  private readonly keys: KeyPairKeyObjectResult = generateKeyPairSync('ec', { namedCurve: 'P-256' });

  private readonly extraEnv: Record<string, string>;
  private readonly nodeArgs: string[];
  private readonly startTimeoutMs?: number;

  constructor(
    private readonly app: string,
    options: ServiceHarnessOptions = {},
    /** Another harness whose topics, consumer groups and token keys this one shares: a second replica. */
    replicaOf?: ServiceHarness,
  ) {
    this.extraEnv = options.env ?? {};
    this.nodeArgs = options.nodeArgs ?? [];
    this.startTimeoutMs = options.startTimeoutMs;
    this.topicPrefix = replicaOf?.topicPrefix ?? `${uniqueName('svc')}.`;
    if (replicaOf) this.keys = replicaOf.keys;
  }

  /** A second instance of the same service on the same topics and groups, as a replica in a deployment. */
  replica(options: ServiceHarnessOptions = {}): ServiceHarness {
    return new ServiceHarness(this.app, { env: { ...this.extraEnv, ...options.env }, nodeArgs: options.nodeArgs ?? this.nodeArgs }, this);
  }

  get url(): string {
    return this.service.url;
  }

  topic(name: string): string {
    return this.topicPrefix + name;
  }

  async start(): Promise<void> {
    this.privateJwk = await exportJWK(this.keys.privateKey as KeyObject);
    this.privateJwk.alg = 'ES256';
    this.service = await spawnService({
      app: this.app,
      nodeArgs: this.nodeArgs,
      startTimeoutMs: this.startTimeoutMs,
      env: {
        NODE_ENV: 'test',
        HTTP_PORT: String(await freePort()),
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
        DATABASE_URL: TEST_DATABASE_URL,
        KAFKA_BROKERS: TEST_KAFKA_BROKERS.join(','),
        KAFKA_TOPIC_PREFIX: this.topicPrefix,
        SHUTDOWN_TIMEOUT_MS: '10000',
        AUTH_ISSUER: 'agentgov-test',
        AUTH_AUDIENCE: 'agentgov',
        AUTH_PUBLIC_KEY: this.keys.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
        ...this.extraEnv,
      },
    });
    await waitFor(
      async () => (await fetch(`${this.url}/health/ready`)).status,
      (status) => status === 200,
      { timeoutMs: 30000, intervalMs: 200, what: `${this.app} readiness` },
    );
  }

  async stop(): Promise<void> {
    if (this.service) await this.service.stop('SIGTERM', 15000).catch(() => this.service.kill());
  }

  /** Publishes events on this harness's topics exactly as a producing service would (CloudEvents headers). */
  async publish<T extends TopicName>(topic: T, events: Array<{ data: TopicPayloads[T]; id?: string }>): Promise<string[]> {
    const encoded = events.map((e) => encodeEvent({ topic, data: e.data, source: '/tests', id: e.id ?? randomUUID() }));
    const producer = this.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    try {
      for (let i = 0; i < encoded.length; i += 500) {
        await producer.send({
          topic: this.topic(topic),
          acks: -1,
          messages: encoded.slice(i, i + 500).map((e) => ({ key: e.key, value: e.value, headers: e.headers })),
        });
      }
    } finally {
      await producer.disconnect();
    }
    return encoded.map((e) => e.id);
  }

  token(roles: Role[], sub = 'test-admin'): Promise<string> {
    return mintDevToken({ sub, roles, ttlSeconds: 3600, privateKey: this.privateJwk, issuer: 'agentgov-test', audience: 'agentgov' });
  }

  /** JSON request with a bearer token of the given roles (default admin). */
  async request(method: string, path: string, body?: unknown, roles: Role[] = ['admin']): Promise<{ status: number; body: any; headers: Headers }> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${await this.token(roles)}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON; keep the text
    }
    return { status: response.status, body: parsed, headers: response.headers };
  }
}
