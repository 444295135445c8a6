import { randomUUID } from 'node:crypto';
import { request } from 'node:http';

import { Topics } from '@agentgov/contracts';
import { anomalyEvent, ConsoleServer, EventStreamReader, RecordingReceiver, ServiceHarness } from '@agentgov/service-testing';
import { waitFor } from '@agentgov/test-support';

const ISSUER = 'http://127.0.0.1:8180/realms/agentgov-console-server-test';

/** The console's server as a real process: in front of a running containment, and of a recording stand-in for a service. */
describe('the console server: the app, its configuration and its proxy to the services', () => {
  const containment = new ServiceHarness('containment', { env: { INCIDENT_STREAM_HEARTBEAT_MS: '500' } });
  const recorder = new RecordingReceiver((request) =>
    request.path.startsWith('/slow')
      ? 'hang'
      : { status: 201, body: { seen: true }, headers: { 'set-cookie': 'tracking=1', 'x-internal': 'secret-ish', location: '/reviews/1' } },
  );
  let server: ConsoleServer;

  beforeAll(async () => {
    await Promise.all([containment.start(), recorder.start()]);
    server = new ConsoleServer({
      issuer: ISSUER,
      roleMap: 'agentgov-soc=soc-analyst',
      upstreams: { containment: containment.url, 'review-scheduler': recorder.url },
    });
    await server.start();
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await Promise.all([containment.stop(), recorder.stop()]);
  });

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { headers });

  it('serves the app for any page, its hashed assets for good, and the security headers on every answer', async () => {
    const page = await get('/incidents/some-id', { accept: 'text/html' });
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    const html = await page.text();
    expect(html).toContain('<div id="root"></div>');
    const csp = page.headers.get('content-security-policy') as string;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`connect-src 'self' http://127.0.0.1:8180`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');

    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1] as string;
    const asset = await get(script);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await get('/assets/nothing-here.js')).status).toBe(404);
  });

  it('tells the app where to sign in and how roles map, never cached', async () => {
    const answer = await get('/config.json');
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(await answer.json()).toEqual({
      issuer: ISSUER,
      clientId: 'agentgov-console',
      scopes: 'openid profile',
      rolesClaim: 'roles',
      roleMap: { 'agentgov-soc': ['soc-analyst'] },
      subjectClaim: 'sub',
      services: ['provisioner', 'behavior-baseliner', 'containment', 'review-scheduler'],
    });
  });

  it('forwards to a service its path, query, bearer token and JSON body, and nothing else either way', async () => {
    const token = await containment.token(['admin']);
    const answer = await fetch(`${server.url}/api/review-scheduler/reviews/abc/decision?dry=1`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', cookie: 'session=hijack', 'x-forwarded-for': '6.6.6.6' },
      body: JSON.stringify({ decision: 'certify', reason: 'still needed' }),
    });
    expect(answer.status).toBe(201);
    expect(await answer.json()).toEqual({ seen: true });
    expect(answer.headers.get('location')).toBe('/reviews/1');
    expect(answer.headers.get('set-cookie')).toBeNull();
    expect(answer.headers.get('x-internal')).toBeNull();
    const [forwarded] = recorder.requests.slice(-1);
    expect(forwarded).toMatchObject({ method: 'POST', path: '/reviews/abc/decision?dry=1' });
    expect(JSON.parse(forwarded.body)).toEqual({ decision: 'certify', reason: 'still needed' });
    expect(forwarded.headers['authorization']).toBe(`Bearer ${token}`);
    expect(forwarded.headers['cookie']).toBeUndefined();
    expect(forwarded.headers['x-forwarded-for']).toBeUndefined();
  });

  it("passes a service's refusal on as it is, challenge included", async () => {
    const answer = await get('/api/containment/incidents');
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toBe('Bearer realm="agentgov"');
    expect(await answer.json()).toMatchObject({ code: 'AUTH_MISSING' });
    const listed = await get('/api/containment/incidents?limit=1', { authorization: `Bearer ${await containment.token(['soc-analyst'])}` });
    expect(listed.status).toBe(200);
    expect(listed.headers.get('cache-control')).toBe('no-store');
  });

  it('refuses what it does not forward: another service or host, a path out of the service, another method, a body that is not JSON', async () => {
    const refused = async (path: string, init: RequestInit = {}) => {
      const answer = await fetch(`${server.url}${path}`, init);
      return [answer.status, ((await answer.json()) as { code: string }).code];
    };
    expect(await refused('/api/vault/secrets')).toEqual([404, 'UNKNOWN_SERVICE']);
    // Sent as written: fetch would resolve the dot segments before sending.
    const raw = (path: string) =>
      new Promise<[number, string]>((resolve, reject) => {
        const { port } = new URL(server.url);
        request({ host: '127.0.0.1', port, path }, (answer) => {
          let body = '';
          answer.on('data', (chunk) => (body += chunk));
          answer.on('end', () => resolve([answer.statusCode as number, JSON.parse(body).code]));
        })
          .on('error', reject)
          .end();
      });
    expect(await raw('/api/containment/%2e%2e/%2e%2e/etc/passwd')).toEqual([400, 'PATH_NOT_FORWARDED']);
    expect(await raw('/api/containment/../provisioner/agents')).toEqual([400, 'PATH_NOT_FORWARDED']);
    expect(await raw('/api/containment//127.0.0.1:22/')).toEqual([400, 'PATH_NOT_FORWARDED']);
    expect(await refused('/api/containment/incidents', { method: 'OPTIONS' })).toEqual([405, 'METHOD_NOT_FORWARDED']);
    expect(
      await refused('/api/containment/incidents/x/release', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'reason=x',
      }),
    ).toEqual([415, 'BODY_NOT_FORWARDED']);
  });

  it("streams a service's server-sent events through as they come", async () => {
    const stream = await EventStreamReader.open(`${server.url}/api/containment/incidents/stream`, `Bearer ${await containment.token(['soc-analyst'])}`);
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    await stream.next((e) => e.event === 'ready', 'ready');
    const agentId = randomUUID();
    await containment.publish(Topics.AgentLifecycle, [
      {
        data: {
          kind: 'agent.registered',
          agentId,
          ownerId: 'owner-console',
          name: 'console test agent',
          purpose: 'crm-sync',
          platform: 'langgraph',
          riskTier: 'medium',
          scopes: ['crm.read'],
          status: 'active',
          occurredAt: new Date().toISOString(),
          cause: { type: 'api', actor: 'test' },
        },
      },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await containment.publish(Topics.AgentAnomaly, [{ data: anomalyEvent(agentId, { score: 0.92 }) }]);
    await stream.next((e) => e.event === 'incident' && e.data.agentId === agentId, 'the incident, through the console');
    await waitFor(
      async () => stream.heartbeats,
      (n) => n >= 1,
      { what: 'a heartbeat through the console', timeoutMs: 5000 },
    );
    stream.close();
  }, 60_000);

  it('answers 502 for a service it cannot reach, and logs no token', async () => {
    const token = await containment.token(['admin']);
    const lonely = new ConsoleServer({ issuer: ISSUER, roleMap: 'a=admin', upstreams: { provisioner: 'http://127.0.0.1:9' } });
    await lonely.start();
    try {
      const answer = await fetch(`${lonely.url}/api/provisioner/agents`, { headers: { authorization: `Bearer ${token}` } });
      expect(answer.status).toBe(502);
      expect(await answer.json()).toMatchObject({ code: 'SERVICE_UNREACHABLE' });
    } finally {
      await lonely.stop();
    }
    const output = lonely.service.stdout() + lonely.service.stderr() + server.service.stdout() + server.service.stderr();
    expect(output).toContain('provisioner cannot be reached');
    expect(output).not.toContain(token.split('.')[2]);
  }, 60_000);
});
