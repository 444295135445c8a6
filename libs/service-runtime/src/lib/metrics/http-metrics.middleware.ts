import { getMeter } from '@agentgov/telemetry';

import { HttpRequest, HttpResponse } from '../http-types';

/**
 * Request duration per route template (never the raw path, which would explode cardinality with ids),
 * method and status, as OpenTelemetry's semantic convention `http.server.request.duration`.
 */
export function httpMetricsMiddleware() {
  const duration = getMeter('@agentgov/service-runtime').createHistogram('http.server.request.duration', {
    unit: 's',
    description: 'Duration of HTTP server requests.',
  });
  return (request: HttpRequest, response: HttpResponse, next: () => void): void => {
    const start = process.hrtime.bigint();
    response.once('finish', () => {
      duration.record(Number(process.hrtime.bigint() - start) / 1e9, {
        'http.request.method': request.method ?? 'UNKNOWN',
        'http.route': request.route?.path ?? 'unmatched',
        'http.response.status_code': response.statusCode,
      });
    });
    next();
  };
}
