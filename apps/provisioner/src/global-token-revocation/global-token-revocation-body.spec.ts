import { INestApplication, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { Test } from '@nestjs/testing';

import { ServiceRuntimeModule } from '@agentgov/service-runtime';

import { GlobalTokenRevocationBodyReader, MAX_BODY_BYTES } from './global-token-revocation-body';
import { GlobalTokenRevocationController } from './global-token-revocation.controller';
import { GlobalTokenRevocationUseCase } from './global-token-revocation.usecase';
import { RevocationCaller } from './revocation-caller';
import { RevocationCallerGuard } from './revocation-caller.guard';
import { GlobalTokenRevocationSubject } from './subject-identifier';

const calls: Array<{ subject: GlobalTokenRevocationSubject; caller: RevocationCaller }> = [];

/** Stands in for the caller's guard: the real one is exercised against the running service (test/hostile, integration). */
@Module({
  imports: [ServiceRuntimeModule.forRoot({ serviceName: 'gtr-body-test', env: {} })],
  controllers: [GlobalTokenRevocationController],
  providers: [
    GlobalTokenRevocationBodyReader,
    {
      provide: GlobalTokenRevocationUseCase,
      useValue: { execute: async (subject: GlobalTokenRevocationSubject, caller: RevocationCaller) => void calls.push({ subject, caller }) },
    },
  ],
})
class TestModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(
        (req: { revocationCaller?: RevocationCaller }, _res: unknown, next: () => void) => (
          (req.revocationCaller = { kind: 'platform', subject: 'security-tool' }),
          next()
        ),
      )
      .forRoutes('*');
  }
}

describe('POST /global-token-revocation reads its own body: refusals never quote it', () => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [TestModule] })
      .overrideGuard(RevocationCallerGuard)
      .useValue({ canActivate: () => true })
      .compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${app.getHttpServer().address().port}/global-token-revocation`;
  });
  afterAll(() => app.close());

  const post = async (body: string, contentType = 'application/json') => {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body });
    return { status: response.status, text: await response.text(), type: response.headers.get('content-type') };
  };

  it('answers 204 with no body and hands the parsed subject and the caller to the use case', async () => {
    calls.length = 0;
    const answer = await post(JSON.stringify({ sub_id: { format: 'email', email: 'leaver@example.com' } }), 'application/json; charset=utf-8');
    expect(answer).toMatchObject({ status: 204, text: '' });
    expect(calls).toEqual([{ subject: { format: 'email', email: 'leaver@example.com' }, caller: { kind: 'platform', subject: 'security-tool' } }]);
  });

  it.each([
    ['malformed JSON', '{"sub_id": {"format": "email", "email": leaver-7f3a@example.com}}', 'application/json', 400, 'The body is not valid JSON.'],
    ['a bare word', 'leaver-7f3a', 'application/json', 400, 'The body is not valid JSON.'],
    ['a form body', 'sub_id=leaver-7f3a', 'application/x-www-form-urlencoded', 400, 'The body must be application/json (§3.1).'],
    ['an unsupported format', JSON.stringify({ sub_id: { format: 'leaver-7f3a', id: 'leaver-7f3a' } }), 'application/json', 400, undefined],
    [
      'a body past the limit',
      JSON.stringify({ sub_id: { format: 'opaque', id: 'leaver-7f3a'.repeat(MAX_BODY_BYTES / 8) } }),
      'application/json',
      413,
      undefined,
    ],
  ])('refuses %s as problem details without repeating it', async (_why, body, contentType, status, detail) => {
    calls.length = 0;
    const answer = await post(body, contentType);
    expect(answer.status).toBe(status);
    expect(answer.type).toMatch(/^application\/problem\+json/);
    expect(answer.text).not.toContain('7f3a');
    if (detail) expect(JSON.parse(answer.text).detail).toBe(detail);
    expect(calls).toEqual([]);
  });
});
