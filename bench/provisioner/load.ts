import { Agent, request } from 'node:http';

export interface HttpResult {
  status: number;
  body: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 128 });

/** A plain keep-alive HTTP request: the load generator must cost the machine as little as possible. */
export function post(url: string, headers: Record<string, string>, body: string): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Open-loop load at a fixed rate: requests start on schedule whether or not earlier ones finished, and each
 * latency is measured from its scheduled start, so a stall shows in the percentiles instead of hiding
 * (no coordinated omission). `onAnswered` is told how many requests have been answered (or failed) so far.
 */
export async function fixedRate(ratePerSecond: number, durationMs: number, send: (i: number) => Promise<boolean>, onAnswered?: (answered: number) => void) {
  const latencies: number[] = [];
  let errors = 0;
  let answered = 0;
  const started = performance.now();
  const total = Math.floor((ratePerSecond * durationMs) / 1000);
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const scheduled = started + (i * 1000) / ratePerSecond;
    const wait = scheduled - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    // Late: measured from the schedule, so the generator's own stall counts against the figure. Early (timer
    // granularity): from the actual send.
    const from = Math.min(scheduled, performance.now());
    inFlight.push(
      send(i).then(
        (ok) => {
          if (!ok) errors += 1;
          latencies.push(performance.now() - from);
          onAnswered?.(++answered);
        },
        () => {
          errors += 1;
          onAnswered?.(++answered);
        },
      ),
    );
    if (inFlight.length > 5000) await Promise.all(inFlight.splice(0, 1000));
  }
  await Promise.all(inFlight);
  const elapsed = performance.now() - started;
  return { latencies: latencies.sort((a, b) => a - b), errors, achievedRate: (latencies.length * 1000) / elapsed };
}
