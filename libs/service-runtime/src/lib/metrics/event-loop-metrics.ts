import { monitorEventLoopDelay } from 'node:perf_hooks';

import { getMeter } from '@agentgov/telemetry';

/**
 * Event loop delay, the first thing to look at when latency has a tail: a blocked loop delays every request
 * and every Kafka heartbeat in the process. Reported per scrape as p50/p99/max since the previous scrape.
 */
export function registerEventLoopMetrics(): void {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  getMeter('@agentgov/service-runtime')
    .createObservableGauge('nodejs.eventloop.delay', { unit: 's', description: 'Event loop delay since the previous collection.' })
    .addCallback((result) => {
      result.observe(histogram.percentile(50) / 1e9, { quantile: '0.5' });
      result.observe(histogram.percentile(99) / 1e9, { quantile: '0.99' });
      result.observe(histogram.max / 1e9, { quantile: '1' });
      histogram.reset();
    });
}
