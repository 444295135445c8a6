import { readFileSync } from 'node:fs';

import { SERVICE_NAMES, ServiceName } from '@agentgov/contracts';
import { ServiceHarness, Stack, StackOptions } from '@agentgov/service-testing';
import { waitFor } from '@agentgov/test-support';

import { describeLeaks, findSecretLeaks, LogLine, logLinesOf, Secret } from './log-secrets';

/** Every line the services write is scanned for secrets: log as much as they can. */
export const HOSTILE_LOG_LEVEL = 'debug';

/**
 * Some of the four services as real processes on one topic prefix and token key (the first one started owns
 * them), with their whole output kept for the log scan and their memory readable from /proc.
 */
export class RunningServices {
  private readonly stack: Stack;
  private stopped = false;
  private topicsRemoved = false;
  /** The services started so far (all of them once start() returned). */
  private readonly harnesses = new Map<ServiceName, ServiceHarness>();

  constructor(
    envs: Partial<Record<ServiceName, Record<string, string>>>,
    /** Containment's connectors (see StackOptions.connectors), for runs that watch what connected systems are told. */
    options: Pick<StackOptions, 'connectors'> = {},
  ) {
    // The topics stay until stop(): the log scan stops the services in a test, its consumers stop after it.
    this.stack = new Stack({
      run: SERVICE_NAMES.filter((name) => name in envs),
      env: { LOG_LEVEL: HOSTILE_LOG_LEVEL },
      services: envs,
      keepTopics: true,
      connectors: options.connectors,
    });
  }

  /** The first service of the list is started alone (it creates the topics), then the others at once. */
  async start(): Promise<void> {
    for (const name of this.stack.services) this.harnesses.set(name, this.stack.harness(name));
    await this.stack.start();
  }

  get(name: ServiceName): ServiceHarness {
    const harness = this.harnesses.get(name);
    if (!harness) throw new Error(`${name} is not part of this run`);
    return harness;
  }

  get names(): ServiceName[] {
    return [...this.harnesses.keys()];
  }

  /** Resident memory of a service's process, in MiB (VmRSS in /proc/<pid>/status). */
  rssMiB(name: ServiceName): number {
    const status = readFileSync(`/proc/${this.get(name).service.process.pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
    if (!kb) throw new Error(`no VmRSS for ${name}`);
    return Math.round((Number(kb) / 1024) * 10) / 10;
  }

  /** For each service: is the process running, what do /health/live and /health/ready answer. */
  async health(): Promise<Record<string, { running: boolean; live: number; ready: number }>> {
    const out: Record<string, { running: boolean; live: number; ready: number }> = {};
    for (const [name, harness] of this.harnesses) {
      const child = harness.service.process;
      const status = async (path: string) => (await fetch(`${harness.url}${path}`).catch(() => ({ status: 0 }))).status;
      out[name] = { running: child.exitCode === null && child.signalCode === null, live: await status('/health/live'), ready: await status('/health/ready') };
    }
    return out;
  }

  /**
   * Stops every service (SIGTERM) and waits until their output streams are closed, so the logs are whole; then
   * deletes the run's topics and consumer groups (best-effort, bounded).
   */
  async stop(): Promise<void> {
    await this.stopServices();
    if (this.topicsRemoved) return;
    this.topicsRemoved = true;
    await this.stack.removeTopics();
  }

  private async stopServices(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.stack.stop();
    const started = [...this.harnesses.values()].filter((h) => h.service);
    await waitFor(
      async () => started.every((h) => h.service.process.stdout.closed && h.service.process.stderr.closed),
      (closed) => closed,
      { timeoutMs: 15000, what: 'the output streams of the services to close' },
    );
  }

  /** Every line every service wrote, both streams. */
  logLines(): LogLine[] {
    return [...this.harnesses].filter(([, h]) => h.service).flatMap(([name, harness]) => logLinesOf(name, harness.service));
  }

  /**
   * Stops the services, then scans all they logged for the secrets: what leaked, described ('' when nothing). The
   * topics stay until stop().
   */
  async stopAndScanLogs(secrets: readonly Secret[]): Promise<string> {
    await this.stopServices();
    const lines = this.logLines();
    const leaks = findSecretLeaks(lines, secrets);
    console.log(`log scan: ${lines.length} lines, ${secrets.length} secrets, ${leaks.length} found`);
    return describeLeaks(leaks);
  }
}
