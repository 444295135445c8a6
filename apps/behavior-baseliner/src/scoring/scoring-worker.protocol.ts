import { ServiceWiring } from '@agentgov/service-infrastructure';
import { ThreadMetricsSnapshot } from '@agentgov/telemetry';

/** What a scoring thread is started with: plain data only (it crosses the thread boundary by copy). */
export interface ScoringWorkerConfig {
  index: number;
  /** The service's own names in Kafka and Postgres, derived in the thread as in the Nest app. */
  wiring: ServiceWiring;
  logLevel: string;
  checkpointIntervalMs: number;
  sessionTimeoutMs: number;
  usageWindowMs: number;
  usageGraceMs: number;
  maxResidentAgents: number;
}

export type ToWorker = { type: 'stop' };

export type ToSupervisor =
  | { type: 'started' }
  | { type: 'progress'; processed: number; agentsInMemory: number }
  /** The thread's own instruments (consumer lag, dead letters, handling and checkpoint times), served by the service's /metrics. */
  | { type: 'metrics'; snapshot: ThreadMetricsSnapshot }
  | { type: 'failed'; message: string }
  | { type: 'stopped' };
