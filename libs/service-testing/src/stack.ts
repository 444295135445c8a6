import { randomUUID } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ServiceHarness } from './service-harness';

export const STACK_SERVICES = ['provisioner', 'behavior-baseliner', 'containment', 'review-scheduler'] as const;
export type StackService = (typeof STACK_SERVICES)[number];

/** A connector entry as containment's CONNECTORS_FILE holds it. */
export type StackConnector = Record<string, unknown> & { name: string; type: string };

export interface StackOptions {
  /** Environment of all four services (e.g. OTEL_EXPORTER_OTLP_ENDPOINT). */
  env?: Record<string, string>;
  /** Environment of one service, on top of `env`. */
  services?: Partial<Record<StackService, Record<string, string>>>;
  /**
   * Containment's connectors, given the running provisioner (the built-in issuer's base URL, a token for its
   * API). Containment claims pending deliveries of every connector name it knows, from any test on the same
   * database: give names unique to the run.
   */
  connectors?: (provisioner: ServiceHarness) => StackConnector[] | Promise<StackConnector[]>;
}

/**
 * The four services as real processes on the real broker and database, on one topic prefix of their own and
 * sharing one API token key: the whole system as a deployment runs it, for end-to-end tests. The provisioner
 * starts first (containment's connectors may point at it), then the other three at once.
 */
export class Stack {
  readonly provisioner: ServiceHarness;
  readonly baseliner: ServiceHarness;
  readonly containment: ServiceHarness;
  readonly reviewScheduler: ServiceHarness;
  /** Where containment reads its connectors; written once the provisioner runs. */
  private readonly connectorsFile?: string;

  constructor(private readonly options: StackOptions = {}) {
    const env = (service: StackService) => ({ ...options.env, ...options.services?.[service] });
    if (options.connectors) this.connectorsFile = join(tmpdir(), `stack-connectors-${randomUUID()}.json`);
    this.provisioner = new ServiceHarness('provisioner', { env: env('provisioner') });
    this.baseliner = new ServiceHarness('behavior-baseliner', { env: env('behavior-baseliner') }, this.provisioner);
    this.containment = new ServiceHarness(
      'containment',
      { env: { ...(this.connectorsFile ? { CONNECTORS_FILE: this.connectorsFile } : {}), ...env('containment') } },
      this.provisioner,
    );
    this.reviewScheduler = new ServiceHarness('review-scheduler', { env: env('review-scheduler') }, this.provisioner);
  }

  get harnesses(): ServiceHarness[] {
    return [this.provisioner, this.baseliner, this.containment, this.reviewScheduler];
  }

  get topicPrefix(): string {
    return this.provisioner.topicPrefix;
  }

  async start(): Promise<void> {
    try {
      await this.provisioner.start();
      if (this.options.connectors && this.connectorsFile) {
        writeFileSync(this.connectorsFile, JSON.stringify(await this.options.connectors(this.provisioner)), { mode: 0o600 });
      }
      await Promise.all([this.baseliner.start(), this.containment.start(), this.reviewScheduler.start()]);
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /** Stops every service that runs (SIGTERM, then SIGKILL if one hangs) and removes the connectors file. */
  async stop(): Promise<void> {
    await Promise.all([this.baseliner, this.containment, this.reviewScheduler].map((h) => h.stop()));
    await this.provisioner.stop();
    if (this.connectorsFile) rmSync(this.connectorsFile, { force: true });
  }
}
