import { Writable } from 'node:stream';

import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';

import { getTracer } from './instruments';
import { createLogger, LoggerOptions } from './logger';
import { startTelemetry, TelemetryHandle } from './start-telemetry';
import { withSpan } from './with-span';

const JWT = 'eyJhbGciOiJFUzI1NiIsImtpZCI6ImRldiJ9.eyJzdWIiOiJhbGljZSIsInJvbGVzIjpbImFkbWluIl19.MEUCIQDx4mR3yq8v0Vb2c1sU5wq8S3n7E';

function captureLogger(options: Partial<LoggerOptions> = {}) {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  const logger = createLogger({ serviceName: 'containment', level: 'debug', destination, ...options });
  const lines = () =>
    chunks
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, any>);
  const raw = () => chunks.join('');
  return { logger, lines, raw };
}

describe('service logger', () => {
  let telemetry: TelemetryHandle;
  let exporter: InMemorySpanExporter;

  beforeEach(() => {
    exporter = new InMemorySpanExporter();
    telemetry = startTelemetry({ serviceName: 'containment', spanExporter: exporter, env: {} });
  });

  afterEach(() => telemetry.shutdown());

  it('writes JSON lines with service, level and the active span trace ids', async () => {
    const { logger, lines } = captureLogger();
    logger.info('outside any span');
    await withSpan(getTracer('test'), 'handle anomaly', {}, async () => {
      await Promise.resolve();
      logger.info({ agentId: 'agent-7' }, 'revoking tokens');
    });

    const [outside, inside] = lines();
    const span = exporter.getFinishedSpans()[0];
    expect(outside).toMatchObject({ level: 'info', service: 'containment', msg: 'outside any span' });
    expect(outside).not.toHaveProperty('trace_id');
    expect(inside).toMatchObject({
      level: 'info',
      service: 'containment',
      agentId: 'agent-7',
      msg: 'revoking tokens',
      trace_id: span.spanContext().traceId,
      span_id: span.spanContext().spanId,
    });
    expect(typeof inside['time']).toBe('string');
  });

  it('censors secret-named keys at any usual depth', () => {
    const { logger, lines, raw } = captureLogger();
    logger.info(
      {
        password: 'hunter2-top',
        client_secret: 'cs-top-level',
        req: { headers: { authorization: 'Basic dXNlcjpwYXNz', cookie: 'session=abc123', 'x-api-key': 'key-123' } },
        connector: { config: { auth: { refresh_token: 'rt-deep-value', private_key: 'pk-deep-value' } } },
        agent: { id: 'agent-1', secret: 'agent-secret-value', access_token: 'at-value' },
        keep: 'visible-value',
      },
      'calling connector',
    );

    const [line] = lines();
    for (const secret of [
      'hunter2-top',
      'cs-top-level',
      'dXNlcjpwYXNz',
      'session=abc123',
      'key-123',
      'rt-deep-value',
      'pk-deep-value',
      'agent-secret-value',
      'at-value',
    ]) {
      expect(raw()).not.toContain(secret);
    }
    expect(line['password']).toBe('[REDACTED]');
    expect(line['req'].headers.authorization).toBe('[REDACTED]');
    expect(line['req'].headers['x-api-key']).toBe('[REDACTED]');
    expect(line['connector'].config.auth.refresh_token).toBe('[REDACTED]');
    expect(line['agent']).toEqual({ id: 'agent-1', secret: '[REDACTED]', access_token: '[REDACTED]' });
    expect(line['keep']).toBe('visible-value');
  });

  it('scrubs bearer tokens and JWTs from message text and errors', () => {
    const { logger, lines, raw } = captureLogger();
    logger.warn(`rejected request with Authorization: Bearer ${JWT}`);
    logger.warn('token %s for %s', JWT, 'agent-3');
    logger.error(new Error(`introspection failed for ${JWT}`));
    const connectorError = Object.assign(new Error('revocation failed: Bearer opaque-token-123'), {
      request: { headers: { authorization: 'Basic c2VjcmV0LWNyZWRz' } },
    });
    logger.error({ err: connectorError }, 'connector error');
    logger.info('topic agent.lifecycle.v1 on kafka.local and version 1.2.3 stay readable');

    expect(raw()).not.toContain(JWT);
    expect(raw()).not.toContain('opaque-token-123');
    expect(raw()).not.toContain('c2VjcmV0LWNyZWRz');
    const [bearer, formatted, error, nested, harmless] = lines();
    expect(bearer['msg']).toBe('rejected request with Authorization: Bearer [REDACTED]');
    expect(formatted['msg']).toBe('token [REDACTED] for agent-3');
    expect(error['msg']).toBe('introspection failed for [REDACTED]');
    expect(error['err'].message).toBe('introspection failed for [REDACTED]');
    expect(error['err'].stack).toContain('introspection failed for [REDACTED]');
    expect(nested['err'].message).toBe('revocation failed: Bearer [REDACTED]');
    expect(nested['err'].request.headers.authorization).toBe('[REDACTED]');
    expect(harmless['msg']).toBe('topic agent.lifecycle.v1 on kafka.local and version 1.2.3 stay readable');
  });

  it('censors keys by what their name says they hold, a JWK’s private part, and Basic credentials written in text', () => {
    const { logger, lines, raw } = captureLogger();
    const jwk = { kty: 'EC', crv: 'P-256', x: 'public-x', y: 'public-y', d: 'the-private-scalar' };
    logger.info(
      { config: { githubToken: 'ghp-one', webhook_secret: 'two', dbPassword: 'three', authorizationHeader: 'four', 'X-Api-Key': 'five' }, key: jwk },
      'connector configured',
    );
    logger.warn('peer refused Authorization: Basic YWRtaW46aHVudGVyMg== at /token');
    expect(raw()).not.toMatch(/ghp-one|"two"|three|four|five|the-private-scalar|YWRtaW46aHVudGVyMg/);
    const [configured, basic] = lines();
    expect(configured['key']).toEqual({ ...jwk, d: '[REDACTED]' });
    expect(configured['config']).toEqual({
      githubToken: '[REDACTED]',
      webhook_secret: '[REDACTED]',
      dbPassword: '[REDACTED]',
      authorizationHeader: '[REDACTED]',
      'X-Api-Key': '[REDACTED]',
    });
    expect(basic['msg']).toBe('peer refused Authorization: Basic [REDACTED] at /token');
    // A field named d elsewhere (not in a JWK) is data.
    logger.info({ point: { d: 4 } }, 'distance');
    expect(lines()[2]['point']).toEqual({ d: 4 });
  });

  it("censors secrets nested deeper, inside arrays and in string fields, without touching the caller's object", () => {
    const { logger, lines, raw } = captureLogger();
    const event = {
      connector: { type: 'rfc7009', settings: { endpoint: { auth: { basic: { Password: 'deep-password-value' } } } } },
      receipts: [{ connector: 'keycloak', token: 'token-in-array-value' }],
      note: `forwarded Authorization: Bearer ${JWT}`,
      count: 3,
      at: new Date(0),
    };
    logger.info(event, 'revocation sent');

    expect(raw()).not.toContain('deep-password-value');
    expect(raw()).not.toContain('token-in-array-value');
    expect(raw()).not.toContain(JWT);
    const [line] = lines();
    expect(line['connector'].settings.endpoint.auth.basic.Password).toBe('[REDACTED]');
    expect(line['receipts']).toEqual([{ connector: 'keycloak', token: '[REDACTED]' }]);
    expect(line['note']).toBe('forwarded Authorization: Bearer [REDACTED]');
    expect(line).toMatchObject({ count: 3, at: '1970-01-01T00:00:00.000Z' });
    expect(event.receipts[0]!.token).toBe('token-in-array-value');
    expect(event.connector.settings.endpoint.auth.basic.Password).toBe('deep-password-value');
  });

  it('honours the level and extra redact paths', () => {
    const { logger, lines } = captureLogger({ level: 'warn', redactPaths: ['customer.ssn'] });
    logger.info('dropped');
    logger.warn({ customer: { ssn: '123-45-6789', name: 'Ann' } }, 'kept');
    expect(lines()).toEqual([expect.objectContaining({ msg: 'kept', customer: { ssn: '[REDACTED]', name: 'Ann' } })]);
  });
});
