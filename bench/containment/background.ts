import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

import { createKafkaClient } from '@agentgov/messaging';
import { TEST_KAFKA_BROKERS, testKafkaSecurity } from '@agentgov/test-support';

import { SteadyActivity } from './traffic';

interface BackgroundConfig {
  kind: 'bench-containment-background';
  topic: string;
  fleet: string[];
  perBatch: number;
  intervalMs: number;
}

type ToWorker = { type: 'count' } | { type: 'stop' };
type FromWorker = { type: 'started' } | { type: 'count' | 'stopped'; acked: number; failed: number } | { type: 'failed'; message: string };

/**
 * The steady background activity on a worker thread of the bench process: the receivers that stand in for the
 * connected systems answer on the main thread, and the generator's work must not stall their event loop.
 */
export class BackgroundActivity {
  private worker?: Worker;
  private readonly waiting: Array<{ resolve: (message: FromWorker) => void; reject: (error: Error) => void }> = [];

  constructor(private readonly config: Omit<BackgroundConfig, 'kind'>) {}

  async start(): Promise<void> {
    // The worker inherits this process's execArgv, so it loads TypeScript as the bench does.
    this.worker = new Worker(__filename, { workerData: { kind: 'bench-containment-background', ...this.config } satisfies BackgroundConfig });
    this.worker.on('message', (message: FromWorker) => this.waiting.shift()?.resolve(message));
    this.worker.on('error', (error) => {
      for (const w of this.waiting.splice(0)) w.reject(error);
    });
    const first = await this.next();
    if (first.type !== 'started') throw new Error(`background generator failed to start: ${first.type === 'failed' ? first.message : first.type}`);
  }

  /** Events the broker acknowledged so far, and events that failed to produce. */
  async count(): Promise<{ acked: number; failed: number }> {
    this.worker?.postMessage({ type: 'count' } satisfies ToWorker);
    const reply = await this.next();
    return reply.type === 'count' ? { acked: reply.acked, failed: reply.failed } : { acked: NaN, failed: NaN };
  }

  async stop(): Promise<{ acked: number; failed: number }> {
    if (!this.worker) return { acked: 0, failed: 0 };
    const worker = this.worker;
    this.worker = undefined;
    worker.postMessage({ type: 'stop' } satisfies ToWorker);
    const reply = await this.next();
    await worker.terminate();
    return reply.type === 'stopped' ? { acked: reply.acked, failed: reply.failed } : { acked: NaN, failed: NaN };
  }

  private next(): Promise<FromWorker> {
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }
}

async function runWorker(config: BackgroundConfig, port: NonNullable<typeof parentPort>): Promise<void> {
  const kafka = createKafkaClient({ brokers: TEST_KAFKA_BROKERS, clientId: 'bench-background', security: testKafkaSecurity() });
  const activity = new SteadyActivity(kafka, config.topic, config.fleet, config.perBatch, config.intervalMs);
  port.on('message', (message: ToWorker) => {
    if (message.type === 'count') port.postMessage({ type: 'count', acked: activity.acked, failed: activity.failed } satisfies FromWorker);
    else void activity.stop().then(() => port.postMessage({ type: 'stopped', acked: activity.acked, failed: activity.failed } satisfies FromWorker));
  });
  await activity.start();
  port.postMessage({ type: 'started' } satisfies FromWorker);
}

if (!isMainThread && parentPort && (workerData as BackgroundConfig | undefined)?.kind === 'bench-containment-background') {
  const port = parentPort;
  runWorker(workerData as BackgroundConfig, port).catch((error: Error) => port.postMessage({ type: 'failed', message: error.message } satisfies FromWorker));
}
