/** What a scoring thread is started with: plain data only (it crosses the thread boundary by copy). */
export interface ScoringWorkerConfig {
  index: number;
  serviceName: string;
  logLevel: string;
  databaseUrl: string;
  brokers: string[];
  clientId: string;
  topicPrefix: string;
  groupId: string;
  checkpointIntervalMs: number;
  sessionTimeoutMs: number;
  usageWindowMs: number;
  usageGraceMs: number;
}

export type ToWorker = { type: 'stop' };

export type ToSupervisor =
  | { type: 'started' }
  | { type: 'progress'; processed: number }
  | { type: 'failed'; message: string }
  | { type: 'stopped' };
