import { generateKeyPairSync, KeyObject, KeyPairKeyObjectResult, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';

import { exportJWK, JWK } from 'jose';
import { Partitioners } from 'kafkajs';

import { mintDevToken, Role } from '@agentgov/auth';
import { SERVICE_NAMES, TopicName, TopicPayloads } from '@agentgov/contracts';
import { createKafkaClient, encodeEvent } from '@agentgov/messaging';
import {
  cleanUpTestTopics,
  freePort,
  SpawnedService,
  spawnService,
  TEST_DATABASE_URL,
  TEST_KAFKA_BROKERS,
  TEST_TOPIC_PREFIX,
  testKafkaSecurity,
  testTopicPrefix,
  waitFor,
  withTestDatabase,
} from '@agentgov/test-support';

import { lockedDownServiceEnv, prepareLockedDownPrefix, removeLockedDownPrefix } from './locked-down-bus';

/** Every harness by the topic prefix its service runs on: the last of a prefix to stop removes the prefix's topics. */
const harnessesByPrefix = new Map<string, Set<ServiceHarness>>();

export interface ServiceHarnessOptions {
  /**
   * Environment on top of the harness's own; a variable given as undefined is not set at all (the service's
   * default applies). Replacing the harness's AUTH_* settings leaves token() and request() minting tokens the
   * service refuses.
   */
  env?: Record<string, string | undefined>;
  /** Node flags for the service process, e.g. ['--cpu-prof']. */
  nodeArgs?: string[];
  /**
   * How long start() waits for /health/live. A service restarted after a kill -9 joins its consumer groups only
   * once the dead member's Kafka session has expired (30 s by default), and listens after that.
   */
  startTimeoutMs?: number;
  /**
   * Keep the prefix's topics when this harness stops (to start it again on the same topics, as a benchmark that
   * runs the service several times over one backlog does); removeTopics() removes them at the end.
   */
  keepTopics?: boolean;
  /**
   * Keep the HTTP port of the first start for every restart (default: a free port at each start), so that whatever
   * calls the service, e.g. containment's connector to the provisioner, still finds it after a restart. An
   * HTTP_PORT in `env` fixes the port in any case.
   */
  keepPort?: boolean;
  /** Append the service's output (both streams) to this file instead of keeping it for stdout() and stderr(). */
  logFile?: string;
}

/**
 * A service as a real process on the real broker and database, with its own topic prefix (and so its own
 * consumer groups) so that a test file sees only its own events. Tokens for its API are minted with a key
 * only this harness has.
 *
 * Clean-up: when the last running harness of a topic prefix (the first one and its replicas) stops, stop() deletes
 * the prefix's topics and consumer groups, best-effort within a bound (a failed clean-up never fails a test; the
 * clean-up before the next run catches what is left). Killing the process (`service.kill()`) keeps them, so a
 * test can restart the service on its topics with start().
 */
export class ServiceHarness {
  readonly topicPrefix: string;
  readonly kafka = createKafkaClient({ brokers: TEST_KAFKA_BROKERS, clientId: 'service-tests', security: testKafkaSecurity() });
  service!: SpawnedService;
  private privateJwk!: JWK;
  private readonly keys: KeyPairKeyObjectResult = generateKeyPairSync('ec', { namedCurve: 'P-256' });

  private readonly extraEnv: Record<string, string | undefined>;
  private readonly nodeArgs: string[];
  private readonly startTimeoutMs?: number;
  private readonly keepTopics: boolean;
  private readonly keepPort: boolean;
  private readonly logFile?: string;
  private port?: number;
  /** The prefix the service really runs on: the harness's own, unless the env given overrides it. */
  private readonly runsOnPrefix: string;
  private starting = false;

  constructor(
    private readonly app: string,
    options: ServiceHarnessOptions = {},
    /** Another harness whose topics, consumer groups and token keys this one shares: a second replica. */
    replicaOf?: ServiceHarness,
  ) {
    this.extraEnv = options.env ?? {};
    this.nodeArgs = options.nodeArgs ?? [];
    this.startTimeoutMs = options.startTimeoutMs;
    this.keepTopics = options.keepTopics ?? replicaOf?.keepTopics ?? false;
    this.keepPort = options.keepPort ?? false;
    this.logFile = options.logFile;
    this.topicPrefix = replicaOf?.topicPrefix ?? testTopicPrefix('svc');
    if (replicaOf) this.keys = replicaOf.keys;
    this.runsOnPrefix = 'KAFKA_TOPIC_PREFIX' in this.extraEnv ? (this.extraEnv['KAFKA_TOPIC_PREFIX'] ?? '') : this.topicPrefix;
    const siblings = harnessesByPrefix.get(this.runsOnPrefix) ?? new Set<ServiceHarness>();
    harnessesByPrefix.set(this.runsOnPrefix, siblings.add(this));
  }

  /** A second instance of the same service on the same topics and groups, as a replica in a deployment. */
  replica(options: ServiceHarnessOptions = {}): ServiceHarness {
    return new ServiceHarness(
      this.app,
      { env: { ...this.extraEnv, ...options.env }, nodeArgs: options.nodeArgs ?? this.nodeArgs, keepTopics: options.keepTopics },
      this,
    );
  }

  get url(): string {
    return this.service.url;
  }

  topic(name: string): string {
    return this.topicPrefix + name;
  }

  /** Whether the service's process runs (or is being started). */
  get running(): boolean {
    const child = this.service?.process;
    return this.starting || (child !== undefined && child.exitCode === null && child.signalCode === null);
  }

  async start(): Promise<void> {
    this.starting = true;
    try {
      await this.spawn();
    } finally {
      this.starting = false;
    }
  }

  private async spawn(): Promise<void> {
    await prepareLockedDownPrefix(this.kafka, this.runsOnPrefix);
    this.privateJwk = await exportJWK(this.keys.privateKey as KeyObject);
    this.privateJwk.alg = 'ES256';
    const env: Record<string, string | undefined> = {
      NODE_ENV: 'test',
      HTTP_PORT: String(this.keepPort ? (this.port ??= await freePort()) : await freePort()),
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
      DATABASE_URL: TEST_DATABASE_URL,
      KAFKA_TOPIC_PREFIX: this.topicPrefix,
      // The locked-down listener, as the service's own principal with only its ACLs (see locked-down-bus.ts).
      ...lockedDownServiceEnv(this.app),
      SHUTDOWN_TIMEOUT_MS: '10000',
      AUTH_ISSUER: 'agentgov-test',
      AUTH_AUDIENCE: 'agentgov',
      AUTH_PUBLIC_KEY: this.keys.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
      ...this.extraEnv,
    };
    const log = this.logFile ? createWriteStream(this.logFile, { flags: 'a' }) : undefined;
    try {
      this.service = await spawnService({
        app: this.app,
        nodeArgs: this.nodeArgs,
        startTimeoutMs: this.startTimeoutMs,
        env: Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined)),
        logTo: log,
      });
    } catch (error) {
      log?.end();
      if (this.logFile && error instanceof Error) error.message += ` (its output is in ${this.logFile})`;
      throw error;
    }
    if (log) this.service.process.once('close', () => log.end());
    await waitFor(
      async () => (await fetch(`${this.url}/health/ready`)).status,
      (status) => status === 200,
      { timeoutMs: 30000, intervalMs: 200, what: `${this.app} readiness` },
    );
  }

  /**
   * Stops the service (SIGTERM, then SIGKILL if it hangs); the last harness of the topic prefix to stop then
   * removes the prefix's topics and consumer groups (see the class comment).
   */
  async stop(): Promise<void> {
    if (this.service) {
      await this.service.stop('SIGTERM', 15000).catch(async () => {
        this.service.kill();
        await this.service.waitForExit(5000).catch(() => undefined);
      });
    }
    const siblings = harnessesByPrefix.get(this.runsOnPrefix) ?? new Set<ServiceHarness>();
    if (!this.keepTopics && ![...siblings].some((h) => h.running)) await this.removeTopics();
  }

  /**
   * Deletes the topics and consumer groups of the prefix the service ran on, best-effort and bounded (never
   * throws). Only a test prefix (`svc_<10 hex>.`) is ever touched: a prefix given through the env that is not one
   * is left alone.
   */
  async removeTopics(): Promise<void> {
    if (!TEST_TOPIC_PREFIX.test(this.runsOnPrefix)) return;
    await removeUnpublishedEvents(this.runsOnPrefix);
    await cleanUpTestTopics(this.runsOnPrefix);
    await removeLockedDownPrefix(this.kafka, this.runsOnPrefix);
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
  /** Calls the service with a token of these roles, as `sub` (test-admin unless a test needs a second person). */
  async request(
    method: string,
    path: string,
    body?: unknown,
    roles: Role[] = ['admin'],
    sub?: string,
  ): Promise<{ status: number; body: any; headers: Headers }> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${await this.token(roles, sub)}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
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

/** Each service's Postgres schema: its outbox may still hold events of a prefix whose services have stopped. */
const SERVICE_SCHEMAS = SERVICE_NAMES.map((name) => name.replace(/-/g, '_'));

/**
 * Deletes the prefix's events that its services wrote but had not published when they stopped. Their topics are
 * about to go, and a relay publishes its outbox in order: left there, they would stop the next run's relay (on the
 * same schema and database) at the first of them, and with it every event written after. Best-effort, like the
 * topics' removal.
 */
async function removeUnpublishedEvents(prefix: string): Promise<void> {
  await withTestDatabase(async (c) => {
    for (const schema of SERVICE_SCHEMAS) {
      const [{ exists }] = (await c.query(`SELECT to_regclass($1) IS NOT NULL AS "exists"`, [`"${schema}"."outbox"`])).rows;
      if (exists) await c.query(`DELETE FROM "${schema}"."outbox" WHERE starts_with("topic", $1)`, [prefix]);
    }
  }).catch((error: Error) => console.warn(`could not remove the unpublished events under ${prefix}: ${error.message}`));
}
