import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';

import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';

import { consumerGroupOf } from '@agentgov/service-infrastructure';
import { kafkaSecurityFor, ReadinessRegistry, SERVICE_ENV } from '@agentgov/service-runtime';
import { getActiveTelemetry, getMeter } from '@agentgov/telemetry';

import { BEHAVIOR_BASELINER_SERVICE_NAME, BehaviorBaselinerEnv } from '../config/behavior-baseliner.env';
import { BEHAVIOR_BASELINER_SCHEMA } from '../database/behavior-baseliner.database';
import { ScoringWorkerConfig, ToSupervisor } from './scoring-worker.protocol';

const RESTART_DELAY_MS = 1000;

/** The scoring consumer group; its checkpoints in keyed_state/partition_checkpoints are found by this name. */
export function scoringGroupId(topicPrefix: string): string {
  return consumerGroupOf({ serviceName: BEHAVIOR_BASELINER_SERVICE_NAME, topicPrefix }, 'scoring');
}

interface ScoringThread {
  worker: Worker;
  started: boolean;
  exited: boolean;
  processed: number;
  agentsInMemory: number;
}

/**
 * Runs the scoring of agent.activity.v1 on SCORING_THREADS worker threads (scoring-worker.ts), each a member of
 * the scoring consumer group: the partitions, and the agents on them, are spread over the threads as over
 * instances, and a thread that dies is replaced (its partitions resume from their checkpoints).
 */
@Injectable()
export class ScoringThreads implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('ScoringThreads');
  private readonly threads: ScoringThread[] = [];
  private stopping = false;
  /** Events scored by threads that have since been replaced, so the counter never goes back. */
  private processedByGone = 0;

  constructor(
    @Inject(SERVICE_ENV) private readonly env: BehaviorBaselinerEnv,
    private readonly readiness: ReadinessRegistry,
  ) {}

  onApplicationBootstrap(): void {
    getMeter('agentgov.behavior-baseliner')
      .createObservableCounter('baseliner_events_scored_total', { description: 'Activity events scored by all scoring threads' })
      .addCallback((result) => result.observe(this.processed));
    getMeter('agentgov.behavior-baseliner')
      .createObservableGauge('baseliner_agents_in_memory', { description: 'Agents whose scoring state the scoring threads hold in memory' })
      .addCallback((result) => result.observe(this.threads.reduce((sum, t) => sum + (t.exited ? 0 : t.agentsInMemory), 0)));
    // Not awaited: joining the group can wait out a dead member's session; readiness says when scoring runs.
    for (let i = 0; i < this.env.SCORING_THREADS; i++) void this.spawn(i).catch(() => undefined);
    this.readiness.register('scoring-threads', async () => {
      const down = this.threads.filter((t) => !t.started).length;
      if (down > 0) throw new Error(`${down} scoring thread(s) not running`);
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await Promise.all(
      this.threads
        .filter((thread) => !thread.exited)
        .map(
          (thread) =>
            new Promise<void>((done) => {
              thread.worker.once('exit', () => done());
              thread.worker.postMessage({ type: 'stop' });
            }),
        ),
    );
  }

  get processed(): number {
    return this.processedByGone + this.threads.reduce((sum, t) => sum + t.processed, 0);
  }

  /** Starts thread i and resolves when its consumer runs (or rejects if it fails to start). */
  private spawn(index: number): Promise<void> {
    const config: ScoringWorkerConfig = {
      index,
      wiring: {
        serviceName: BEHAVIOR_BASELINER_SERVICE_NAME,
        schema: BEHAVIOR_BASELINER_SCHEMA,
        brokers: [...this.env.KAFKA_BROKERS],
        kafkaSecurity: kafkaSecurityFor(this.env),
        clientId: this.env.KAFKA_CLIENT_ID,
        topicPrefix: this.env.KAFKA_TOPIC_PREFIX,
        databaseUrl: this.env.DATABASE_URL,
      },
      logLevel: this.env.LOG_LEVEL,
      checkpointIntervalMs: this.env.SCORING_CHECKPOINT_INTERVAL_MS,
      sessionTimeoutMs: this.env.SCORING_SESSION_TIMEOUT_MS,
      usageWindowMs: this.env.USAGE_WINDOW_MINUTES * 60_000,
      usageGraceMs: this.env.USAGE_GRACE_SECONDS * 1000,
      maxResidentAgents: this.env.SCORING_MAX_RESIDENT_AGENTS,
    };
    // The worker inherits this process's execArgv, so it loads TypeScript the same way the service does.
    const worker = new Worker(resolve(__dirname, `scoring-worker${__filename.slice(__filename.lastIndexOf('.'))}`), {
      workerData: config,
      // Scoring allocates many short-lived objects (kafkajs decodes every record); a larger young generation
      // collects them far less often.
      resourceLimits: { maxYoungGenerationSizeMb: 64 },
    });
    const thread: ScoringThread = { worker, started: false, exited: false, processed: 0, agentsInMemory: 0 };
    this.threads[index] = thread;
    return new Promise<void>((started, failed) => {
      worker.on('message', (message: ToSupervisor) => {
        if (message.type === 'progress') {
          thread.processed = message.processed;
          thread.agentsInMemory = message.agentsInMemory;
        } else if (message.type === 'metrics') {
          getActiveTelemetry()?.addThreadMetrics(message.snapshot);
        } else if (message.type === 'started') {
          thread.started = true;
          started();
        } else if (message.type === 'failed') {
          this.logger.error(`scoring thread ${index} failed: ${message.message}`);
          failed(new Error(`scoring thread ${index} failed to start: ${message.message}`));
        }
      });
      worker.on('error', (error) => this.logger.error(`scoring thread ${index} crashed: ${error.message}`));
      worker.on('exit', (code) => {
        thread.started = false;
        thread.exited = true;
        if (this.stopping || this.threads[index] !== thread) return;
        this.processedByGone += thread.processed;
        this.logger.error(`scoring thread ${index} exited (code ${code}); starting a new one`);
        setTimeout(() => void this.spawn(index).catch(() => undefined), RESTART_DELAY_MS).unref();
      });
    });
  }
}
