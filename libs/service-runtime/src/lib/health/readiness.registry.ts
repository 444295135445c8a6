import { Injectable, Logger } from '@nestjs/common';

export type ReadinessCheck = () => Promise<void>;

export interface ReadinessCheckOptions {
  /** How long the check may take before it counts as failed. */
  timeoutMs?: number;
}

export type CheckStatus = { status: 'up' } | { status: 'down'; reason: 'timeout' | 'error' | 'shutting-down' };

export interface ReadinessReport {
  readonly status: 'ok' | 'error';
  readonly checks: Readonly<Record<string, CheckStatus>>;
  /** Names of the failed checks, for a quick read of the 503 body. */
  readonly failed?: readonly string[];
}

export const DEFAULT_CHECK_TIMEOUT_MS = 2_000;

class CheckTimeout extends Error {}

/**
 * Where libraries plug in what "ready" means for them (the database, Kafka, ...). Checks run in parallel,
 * each under its own timeout. The report carries names and a coarse reason only: errors from drivers can
 * carry hosts or connection details, so they go to the log, never into the HTTP answer.
 */
@Injectable()
export class ReadinessRegistry {
  private readonly logger = new Logger('Readiness');
  private readonly checks = new Map<string, { check: ReadinessCheck; timeoutMs: number }>();
  private shuttingDown = false;

  register(name: string, check: ReadinessCheck, options: ReadinessCheckOptions = {}): void {
    if (this.checks.has(name)) throw new Error(`Readiness check "${name}" is already registered`);
    this.checks.set(name, { check, timeoutMs: options.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS });
  }

  names(): string[] {
    return [...this.checks.keys()];
  }

  /** After a shutdown signal the service reports not-ready so that load balancers stop routing to it. */
  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  async run(): Promise<ReadinessReport> {
    const entries = await Promise.all(
      [...this.checks.entries()].map(async ([name, { check, timeoutMs }]) => [name, await this.runOne(name, check, timeoutMs)] as const),
    );
    const checks: Record<string, CheckStatus> = Object.fromEntries(entries);
    if (this.shuttingDown) checks['shutdown'] = { status: 'down', reason: 'shutting-down' };
    const failed = Object.entries(checks)
      .filter(([, result]) => result.status === 'down')
      .map(([name]) => name);
    return failed.length === 0 ? { status: 'ok', checks } : { status: 'error', checks, failed };
  }

  private async runOne(name: string, check: ReadinessCheck, timeoutMs: number): Promise<CheckStatus> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CheckTimeout()), timeoutMs);
    });
    try {
      await Promise.race([Promise.resolve().then(check), timeout]);
      return { status: 'up' };
    } catch (error) {
      if (error instanceof CheckTimeout) {
        this.logger.warn(`readiness check "${name}" timed out after ${timeoutMs} ms`);
        return { status: 'down', reason: 'timeout' };
      }
      this.logger.warn(`readiness check "${name}" failed: ${error instanceof Error ? error.message : String(error)}`);
      return { status: 'down', reason: 'error' };
    } finally {
      clearTimeout(timer);
    }
  }
}
