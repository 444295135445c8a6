import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { SERVICE_NAMES, ServiceName } from '@agentgov/contracts';

import { ConnectorEntry, writeConnectorsFile } from './connectors-file';
import { ServiceHarness } from './service-harness';

/** A connector entry as containment's CONNECTORS_FILE holds it. */
export type StackConnector = ConnectorEntry;

export interface StackOptions {
  /** The services to run (default: all four). */
  run?: readonly ServiceName[];
  /**
   * Environment of every service (e.g. OTEL_EXPORTER_OTLP_ENDPOINT, LOG_LEVEL), on top of the harness's own (see
   * ServiceHarnessOptions.env: undefined unsets a variable).
   */
  env?: Record<string, string | undefined>;
  /** Environment of one service, on top of `env` and of the ports and connectors below. */
  services?: Partial<Record<ServiceName, Record<string, string | undefined>>>;
  /**
   * HTTP ports: a free one at every start (default); 'kept', a free one at the first start kept for every restart
   * (a restarted provisioner must be where containment's connector calls it); or the port of each service.
   */
  ports?: 'kept' | Partial<Record<ServiceName, number>>;
  /**
   * Containment's connectors, given the running provisioner (the built-in issuer's base URL, a token for its
   * API); needs the provisioner in `run`. Containment claims pending deliveries of every connector name it knows,
   * from any test on the same database: give names unique to the run.
   */
  connectors?: (provisioner: ServiceHarness) => ConnectorEntry[] | Promise<ConnectorEntry[]>;
  /** How long each start waits for a service to listen (see ServiceHarnessOptions.startTimeoutMs). */
  startTimeoutMs?: number;
  /** Keep the stack's topics when it stops, until removeTopics() (see ServiceHarnessOptions.keepTopics). */
  keepTopics?: boolean;
  /** Append each service's output to <logDir>/<service>.log instead of keeping it in memory (a long-running stack). */
  logDir?: string;
}

/**
 * Services as real processes on the real broker and database, on one topic prefix of their own and sharing one
 * API token key: the whole system (or the part of it a test needs) as a deployment runs it. The first of them in
 * SERVICE_NAMES order starts alone (it creates the topics, and containment's connectors may point at the
 * provisioner), then the others at once. Stopping the stack deletes its topics and consumer groups (see
 * ServiceHarness), unless `keepTopics`.
 */
export class Stack {
  /** The services of this stack, in start order. */
  readonly services: ServiceName[];
  /** Where containment reads its connectors; written once the provisioner runs. */
  private readonly connectorsFile?: string;
  private readonly byName = new Map<ServiceName, ServiceHarness>();

  constructor(private readonly options: StackOptions = {}) {
    const run = options.run ?? SERVICE_NAMES;
    this.services = SERVICE_NAMES.filter((s) => run.includes(s));
    if (this.services.length === 0) throw new Error('a stack runs at least one service');
    if (options.connectors && !this.services.includes('containment')) throw new Error('connectors are for containment, which this stack does not run');
    if (options.connectors && !this.services.includes('provisioner'))
      throw new Error('the connectors are written from the running provisioner, which this stack does not run');
    if (options.connectors) this.connectorsFile = join(tmpdir(), `stack-connectors-${randomUUID()}.json`);
    const [first, ...others] = this.services;
    const owner = this.create(first!);
    for (const service of others) this.create(service, owner);
  }

  private create(service: ServiceName, owner?: ServiceHarness): ServiceHarness {
    const port = typeof this.options.ports === 'object' ? this.options.ports[service] : undefined;
    const env = {
      ...this.options.env,
      ...(service === 'containment' && this.connectorsFile ? { CONNECTORS_FILE: this.connectorsFile } : {}),
      ...(port === undefined ? {} : { HTTP_PORT: String(port) }),
      ...this.options.services?.[service],
    };
    const harness = new ServiceHarness(
      service,
      {
        env,
        keepPort: this.options.ports === 'kept',
        startTimeoutMs: this.options.startTimeoutMs,
        keepTopics: this.options.keepTopics,
        logFile: this.options.logDir ? join(this.options.logDir, `${service}.log`) : undefined,
      },
      owner,
    );
    this.byName.set(service, harness);
    return harness;
  }

  /** The harness of one of the stack's services. */
  harness(service: ServiceName): ServiceHarness {
    const harness = this.byName.get(service);
    if (!harness) throw new Error(`${service} is not part of this stack`);
    return harness;
  }

  get provisioner(): ServiceHarness {
    return this.harness('provisioner');
  }
  get baseliner(): ServiceHarness {
    return this.harness('behavior-baseliner');
  }
  get containment(): ServiceHarness {
    return this.harness('containment');
  }
  get reviewScheduler(): ServiceHarness {
    return this.harness('review-scheduler');
  }

  /** Every harness of the stack, in start order. */
  get harnesses(): ServiceHarness[] {
    return this.services.map((s) => this.harness(s));
  }

  get topicPrefix(): string {
    return this.harnesses[0]!.topicPrefix;
  }

  async start(): Promise<void> {
    const [first, ...others] = this.harnesses;
    if (this.options.logDir) mkdirSync(this.options.logDir, { recursive: true });
    try {
      await first!.start();
      if (this.options.connectors && this.connectorsFile) writeConnectorsFile(await this.options.connectors(this.provisioner), this.connectorsFile);
      // Every start is waited for, so that a failed one stops all those that did start.
      const failed = (await Promise.allSettled(others.map((h) => h.start()))).find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /**
   * Stops every service that runs (SIGTERM, then SIGKILL if one hangs), the first one last, and removes the
   * connectors file; the first one then deletes the stack's topics and consumer groups, unless `keepTopics`.
   */
  async stop(): Promise<void> {
    const [first, ...others] = this.harnesses;
    await Promise.all(others.map((h) => h.stop()));
    await first!.stop();
    if (this.connectorsFile) rmSync(this.connectorsFile, { force: true });
  }

  /** Deletes the stack's topics and consumer groups (for a stack with `keepTopics`, once it is stopped). */
  async removeTopics(): Promise<void> {
    await this.harnesses[0]!.removeTopics();
  }
}
