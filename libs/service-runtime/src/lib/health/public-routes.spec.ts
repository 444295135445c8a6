import { generateKeyPairSync } from 'node:crypto';

import { Controller, Get, INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';

import { AuthModule } from '@agentgov/auth';

import { ServiceRuntimeModule } from '../service-runtime.module';
import { RecordingLogger } from '../testing-app.spec-helper';

@Controller('agents')
class AgentsController {
  @Get()
  list(): string[] {
    return [];
  }
}

describe('runtime routes under the global bearer guard', () => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    const publicKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    const moduleRef = await Test.createTestingModule({
      imports: [
        AuthModule.forRoot({ issuer: 'agentgov-test', audience: 'agentgov', publicKey }),
        ServiceRuntimeModule.forRoot({
          serviceName: 'test-service',
          env: {},
          readinessChecks: [{ name: 'database', check: async () => undefined }],
        }),
      ],
      controllers: [AgentsController],
    }).compile();
    app = moduleRef.createNestApplication({ logger: new RecordingLogger() });
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${app.getHttpServer().address().port}`;
  });

  afterAll(async () => {
    await app.close();
  });

  it.each(['/health/live', '/health/ready'])('serves %s without a token', async (path) => {
    expect((await fetch(`${url}${path}`)).status).toBe(200);
  });

  it('serves /metrics without a token (503 here only because telemetry is not started in this test)', async () => {
    const response = await fetch(`${url}/metrics`);

    expect(response.status).toBe(503);
    expect(await response.text()).toBe('# telemetry is not started\n');
  });

  it('still protects a business route, answering a 401 problem with a bearer challenge', async () => {
    const response = await fetch(`${url}/agents`);

    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm=/);
    expect(await response.json()).toMatchObject({ status: 401, instance: '/agents', code: expect.stringMatching(/^AUTH_/) });
  });
});
