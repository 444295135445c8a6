import { monitorEventLoopDelay } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

import { ReceivedRequest, RecordingReceiver } from '@agentgov/service-testing';

type Received = Pick<ReceivedRequest, 'method' | 'path' | 'body' | 'at'>;
type ToWorker = { type: 'report' } | { type: 'stop' };
type FromWorker =
  | { type: 'started'; webhookUrl: string; ssfUrl: string }
  | { type: 'report'; webhook: Received[]; ssf: Received[]; loopDelayP99Ms: number; loopDelayMaxMs: number }
  | { type: 'stopped' };

const MARK = 'bench-containment-receivers';

/**
 * The systems universal logout reaches, as RecordingReceivers on a worker thread of the bench process: a signed
 * webhook receiver answering 200 and a Shared Signals receiver answering 202. On their own thread, the load the
 * bench generates and its garbage collections do not delay their answers (an external system would not share them).
 */
export class BenchReceivers {
  webhookUrl = '';
  ssfUrl = '';
  private worker?: Worker;
  private readonly waiting: Array<{ resolve: (message: FromWorker) => void; reject: (error: Error) => void }> = [];

  async start(): Promise<void> {
    // The worker inherits this process's execArgv, so it loads TypeScript as the bench does.
    this.worker = new Worker(__filename, { workerData: MARK });
    this.worker.on('message', (message: FromWorker) => this.waiting.shift()?.resolve(message));
    this.worker.on('error', (error) => {
      for (const w of this.waiting.splice(0)) w.reject(error);
    });
    const started = await this.next();
    if (started.type !== 'started') throw new Error('receivers failed to start');
    this.webhookUrl = started.webhookUrl;
    this.ssfUrl = started.ssfUrl;
  }

  /** Every request so far, and the receivers' event loop delay since they started. */
  async report(): Promise<Extract<FromWorker, { type: 'report' }>> {
    this.worker?.postMessage({ type: 'report' } satisfies ToWorker);
    const reply = await this.next();
    if (reply.type !== 'report') throw new Error(`unexpected reply ${reply.type}`);
    return reply;
  }

  async stop(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    worker.postMessage({ type: 'stop' } satisfies ToWorker);
    await this.next().catch(() => undefined);
    await worker.terminate();
  }

  private next(): Promise<FromWorker> {
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }
}

async function runWorker(port: NonNullable<typeof parentPort>): Promise<void> {
  const webhook = new RecordingReceiver(() => ({ status: 200, body: { ok: true } }));
  // RFC 8935: a receiver accepts a SET with 202.
  const ssf = new RecordingReceiver(() => ({ status: 202 }));
  await Promise.all([webhook.start(), ssf.start()]);
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const plain = (r: ReceivedRequest): Received => ({ method: r.method, path: r.path, body: r.body, at: r.at });
  port.on('message', (message: ToWorker) => {
    if (message.type === 'report') {
      port.postMessage({
        type: 'report',
        webhook: webhook.requests.map(plain),
        ssf: ssf.requests.map(plain),
        loopDelayP99Ms: delay.percentile(99) / 1e6,
        loopDelayMaxMs: delay.max / 1e6,
      } satisfies FromWorker);
      return;
    }
    delay.disable();
    void Promise.all([webhook.stop(), ssf.stop()]).then(() => port.postMessage({ type: 'stopped' } satisfies FromWorker));
  });
  port.postMessage({ type: 'started', webhookUrl: webhook.url, ssfUrl: ssf.url } satisfies FromWorker);
}

if (!isMainThread && parentPort && workerData === MARK) void runWorker(parentPort);
