import { generateKeyPairSync } from 'node:crypto';
import { AddressInfo } from 'node:net';

import { ArgumentsHost, Catch, Controller, ExceptionFilter, Get, HttpException, INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';

import { AuthConfig } from '../auth-config';
import { mintDevToken } from '../dev-token';
import { Role } from '../roles';
import { Principal } from '../token-verifier';
import { CurrentPrincipal, Public, Roles } from './auth.decorators';
import { AuthModule } from './auth.module';

@Controller()
class ProbeController {
  @Public()
  @Get('health')
  health() {
    return { status: 'ok' };
  }

  @Get('me')
  me(@CurrentPrincipal() principal: Principal) {
    return { subject: principal.subject, roles: principal.roles };
  }

  @Roles(Role.Admin)
  @Get('admin/policies')
  policies() {
    return { policies: [] };
  }
}

@Public()
@Controller('webhooks')
class WebhookController {
  @Get('okta')
  okta() {
    return { received: true };
  }
}

@Roles(Role.SocAnalyst, Role.Admin)
@Controller('incidents')
class IncidentsController {
  @Get()
  list() {
    return [];
  }

  @Roles(Role.Admin)
  @Get('purge')
  purge() {
    return { purged: true };
  }
}

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const config: AuthConfig = {
  issuer: 'agentgov-dev',
  audience: 'agentgov',
  publicKey: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
};

async function startApp(configure?: (app: INestApplication) => void): Promise<{ app: INestApplication; baseUrl: string }> {
  const moduleRef = await Test.createTestingModule({
    imports: [AuthModule.forRoot(config)],
    controllers: [IncidentsController, ProbeController, WebhookController],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  configure?.(app);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, baseUrl: `http://127.0.0.1:${port}` };
}

describe('bearer auth on every route of a Nest app', () => {
  let app: INestApplication;
  let baseUrl: string;
  const token = (roles: Role[], extra: Partial<Parameters<typeof mintDevToken>[0]> = {}) => mintDevToken({ sub: 'alice', roles, privateKey, ...extra });
  const get = (path: string, authorization?: string) => fetch(`${baseUrl}${path}`, { headers: authorization ? { authorization } : {} });

  beforeAll(async () => {
    ({ app, baseUrl } = await startApp());
  });

  afterAll(() => app.close());

  it('lets a @Public() route and controller through without a token', async () => {
    expect((await get('/health')).status).toBe(200);
    expect((await get('/webhooks/okta')).status).toBe(200);
  });

  it('answers 401 problem details with a bare Bearer challenge when there is no token', async () => {
    const response = await get('/me');
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="agentgov"');
    expect(await response.json()).toEqual({
      type: 'urn:agentgov:problem:auth-missing',
      title: 'Unauthorized',
      status: 401,
      detail: 'A bearer token is required.',
      code: 'AUTH_MISSING',
      instance: '/me',
    });
  });

  it.each([
    ['a garbage token', async () => 'Bearer garbage.garbage.garbage', 'AUTH_MALFORMED'],
    ['an expired token', async () => `Bearer ${await token([Role.Admin], { ttlSeconds: -3600 })}`, 'AUTH_EXPIRED'],
    ['a token for another audience', async () => `Bearer ${await token([Role.Admin], { audience: 'billing' })}`, 'AUTH_WRONG_AUDIENCE'],
    ['a token from another issuer', async () => `Bearer ${await token([Role.Admin], { issuer: 'evil' })}`, 'AUTH_WRONG_ISSUER'],
    [
      'a token signed by another key',
      async () => `Bearer ${await token([Role.Admin], { privateKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey })}`,
      'AUTH_INVALID_SIGNATURE',
    ],
  ])('answers 401 invalid_token to %s, without echoing it or a stack', async (_case, header, code) => {
    const authorization = await header();
    const response = await get('/me?access_token=leak', authorization);
    const text = await response.text();
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="agentgov", error="invalid_token", error_description="[^"]+"$/);
    const body = JSON.parse(text);
    expect(body).toMatchObject({ status: 401, code, instance: '/me' });
    expect(Object.keys(body).sort()).toEqual(['code', 'detail', 'instance', 'status', 'title', 'type']);
    const jwt = authorization.slice('Bearer '.length);
    for (const part of jwt.split('.')) expect(text).not.toContain(part);
    expect(response.headers.get('www-authenticate')).not.toContain(jwt.split('.')[1]!);
    expect(text).not.toContain('leak');
    expect(text).not.toMatch(/\bat .+\.(ts|js):\d+/);
  });

  it('gives the handler the principal of a valid token', async () => {
    const response = await get('/me', `Bearer ${await token([Role.Reviewer])}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ subject: 'alice', roles: ['reviewer'] });
  });

  it('forbids an analyst on an admin route with 403 problem details, and admits an admin', async () => {
    const analyst = await get('/admin/policies', `Bearer ${await token([Role.SocAnalyst])}`);
    expect(analyst.status).toBe(403);
    expect(analyst.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(analyst.headers.get('www-authenticate')).toMatch(/error="insufficient_scope"/);
    expect(await analyst.json()).toMatchObject({
      status: 403,
      title: 'Forbidden',
      code: 'AUTH_FORBIDDEN',
      detail: 'This action requires one of the roles: admin.',
    });

    const admin = await get('/admin/policies', `Bearer ${await token([Role.Admin])}`);
    expect(admin.status).toBe(200);
    expect(await admin.json()).toEqual({ policies: [] });
  });

  it('applies controller roles to its handlers, a handler list replacing them', async () => {
    expect((await get('/incidents', `Bearer ${await token([Role.SocAnalyst])}`)).status).toBe(200);
    expect((await get('/incidents', `Bearer ${await token([Role.Reviewer])}`)).status).toBe(403);
    expect((await get('/incidents/purge', `Bearer ${await token([Role.SocAnalyst])}`)).status).toBe(403);
    expect((await get('/incidents/purge', `Bearer ${await token([Role.Admin])}`)).status).toBe(200);
  });
});

describe('bearer auth beside an application-wide catch-all filter', () => {
  @Catch()
  class CatchAllProblemFilter implements ExceptionFilter {
    catch(exception: unknown, host: ArgumentsHost) {
      const status = exception instanceof HttpException ? exception.getStatus() : 500;
      const body = exception instanceof HttpException ? exception.getResponse() : { title: 'Internal Server Error' };
      host.switchToHttp().getResponse().status(status).type('application/problem+json').send(JSON.stringify(body));
    }
  }

  it('keeps the WWW-Authenticate challenge and the problem body whichever filter renders the error', async () => {
    const { app, baseUrl } = await startApp((a) => a.useGlobalFilters(new CatchAllProblemFilter()));
    try {
      const response = await fetch(`${baseUrl}/me`, { headers: { authorization: 'Bearer a.b.c' } });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="agentgov", error="invalid_token"/);
      const body = await response.json();
      expect(body).toMatchObject({ status: 401, code: 'AUTH_MALFORMED', title: 'Unauthorized' });
      // Rendered by the catch-all filter (it adds no `instance`), so the challenge came from the guard.
      expect(body).not.toHaveProperty('instance');
    } finally {
      await app.close();
    }
  });
});
