import { INestApplication } from '@nestjs/common';

import { startTestApp } from '../testing-app.spec-helper';
import { ReadinessRegistry } from './readiness.registry';

describe('readiness over HTTP', () => {
  let app: INestApplication;
  let url: string;

  afterEach(async () => {
    await app?.close();
  });

  it('answers 200 with every check up when all pass', async () => {
    ({ app, url } = await startTestApp({
      readinessChecks: [
        { name: 'database', check: async () => undefined },
        { name: 'kafka', check: async () => undefined },
      ],
    }));

    const response = await fetch(`${url}/health/ready`);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ok',
      checks: { database: { status: 'up' }, kafka: { status: 'up' } },
    });
  });

  it('answers 503 naming the failed check, without its error text', async () => {
    ({ app, url } = await startTestApp({
      readinessChecks: [
        { name: 'database', check: async () => undefined },
        {
          name: 'kafka',
          check: async () => {
            throw new Error('connect ECONNREFUSED postgres://admin:pw@kafka-internal:9092');
          },
        },
      ],
    }));

    const response = await fetch(`${url}/health/ready`);
    const text = await response.text();

    expect(response.status).toBe(503);
    expect(JSON.parse(text)).toEqual({
      status: 'error',
      checks: { database: { status: 'up' }, kafka: { status: 'down', reason: 'error' } },
      failed: ['kafka'],
    });
    expect(text).not.toContain('ECONNREFUSED');
    expect(text).not.toContain('pw@');
  });

  it('fails a check that does not answer within its timeout', async () => {
    ({ app, url } = await startTestApp({
      readinessChecks: [{ name: 'slow-db', timeoutMs: 50, check: () => new Promise(() => undefined) }],
    }));

    const started = Date.now();
    const response = await fetch(`${url}/health/ready`);

    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ failed: ['slow-db'], checks: { 'slow-db': { reason: 'timeout' } } });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('lets libraries register checks after start-up through the injected registry', async () => {
    ({ app, url } = await startTestApp());
    app.get(ReadinessRegistry).register('outbox', async () => {
      throw new Error('relay stopped');
    });

    const response = await fetch(`${url}/health/ready`);

    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ failed: ['outbox'] });
  });

  it('reports not ready once shutdown has begun', async () => {
    ({ app, url } = await startTestApp({ readinessChecks: [{ name: 'database', check: async () => undefined }] }));
    app.get(ReadinessRegistry).markShuttingDown();

    const response = await fetch(`${url}/health/ready`);

    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ failed: ['shutdown'] });
  });

  it('answers liveness with 200 whatever the checks say', async () => {
    ({ app, url } = await startTestApp({
      readinessChecks: [{ name: 'database', check: () => Promise.reject(new Error('down')) }],
    }));

    const response = await fetch(`${url}/health/live`);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('refuses two checks with the same name', () => {
    const registry = new ReadinessRegistry();
    registry.register('database', async () => undefined);

    expect(() => registry.register('database', async () => undefined)).toThrow('"database" is already registered');
  });
});
