import { generateKeyPairSync } from 'node:crypto';

import { localBrokerServiceEnv } from './local-broker';
import { freePort, SpawnedService, spawnService } from './spawn-service';
import { TEST_DATABASE_URL, waitFor } from './test-infrastructure';

const SHUTDOWN_TIMEOUT_MS = 5000;
const AUTH_PUBLIC_KEY = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'pem', type: 'spki' }).toString();

async function validEnv(): Promise<Record<string, string>> {
  return {
    NODE_ENV: 'test',
    HTTP_PORT: String(await freePort()),
    LOG_LEVEL: 'info',
    DATABASE_URL: TEST_DATABASE_URL,
    // The operator's principal: this suite is about the boot contract (it creates the production-named topics),
    // not the access table, which every other service test runs under.
    ...localBrokerServiceEnv('admin'),
    SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
    AUTH_ISSUER: 'agentgov-test',
    AUTH_AUDIENCE: 'agentgov',
    AUTH_PUBLIC_KEY,
  };
}

/**
 * The boot contract every service keeps, as one suite each app's test runs against itself: it starts as a
 * real process, becomes ready against the real database and broker, serves its runtime endpoints, stops
 * cleanly on SIGTERM, and refuses a bad environment naming the variable.
 */
export function describeServiceBoot(app: string): void {
  describe(`${app} boots, serves its runtime endpoints and stops cleanly`, () => {
    let service: SpawnedService | undefined;

    afterEach(() => service?.kill());

    it('serves liveness, Prometheus metrics and its OpenAPI document, then exits 0 on SIGTERM', async () => {
      service = await spawnService({ app, env: await validEnv() });

      const live = await fetch(`${service.url}/health/live`);
      expect(live.status).toBe(200);
      expect(await live.json()).toEqual({ status: 'ok' });

      // Ready once its database pool, the broker and its consumer are up (topics are created on first boot).
      const ready = await waitFor(
        async () => {
          const response = await fetch(`${service!.url}/health/ready`);
          return { status: response.status, body: (await response.json()) as { checks: Record<string, unknown> } };
        },
        (r) => r.status === 200,
        { timeoutMs: 30000, intervalMs: 250, what: 'readiness' },
      );
      expect(ready.body.checks).toMatchObject({
        database: { status: 'up' },
        kafka: { status: 'up' },
        'kafka-consumer': { status: 'up' },
      });

      const metrics = await fetch(`${service.url}/metrics`);
      expect(metrics.status).toBe(200);
      expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
      const text = await metrics.text();
      expect(text).toMatch(/^# TYPE http_server_request_duration histogram$/m);
      expect(text).toContain(`target_info{service_name="${app}"}`);

      const openApi = await fetch(`${service.url}/openapi.json`);
      expect(openApi.status).toBe(200);
      expect(await openApi.json()).toMatchObject({
        openapi: expect.stringMatching(/^3\./),
        info: { title: app },
        components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      });

      const listening = service
        .stdout()
        .split('\n')
        .filter((line) => line.includes('listening on port'));
      expect(listening).toHaveLength(1);
      expect(JSON.parse(listening[0]!)).toMatchObject({ level: 'info', service: app });

      const started = Date.now();
      const exit = await service.stop('SIGTERM', SHUTDOWN_TIMEOUT_MS + 2000);
      // What the service said on its way out, when it did not exit cleanly.
      if (exit.code !== 0) throw new Error(`exited ${JSON.stringify(exit)}; last output:\n${service.stdout().slice(-4000)}\n${service.stderr().slice(-4000)}`);
      expect(exit).toEqual({ code: 0, signal: null });
      expect(Date.now() - started).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
    });

    it('refuses to start with a bad HTTP_PORT and names it on stderr', async () => {
      service = await spawnService({
        app,
        env: { ...(await validEnv()), HTTP_PORT: 'abc' },
        waitUntilLive: false,
      });

      const exit = await service.waitForExit(15000);

      expect(exit.code).not.toBe(0);
      expect(exit.code).not.toBeNull();
      expect(service.stderr()).toContain('HTTP_PORT: must be an integer between 1 and 65535');
    });
  });
}
