import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

import { Role, ROLES } from '@agentgov/auth';
import { SERVICE_NAMES, ServiceName } from '@agentgov/contracts';
import { developmentKeyEncryptionKey } from '@agentgov/sealed-secrets';
import { REPO_ROOT } from '@agentgov/test-support';

import { Secret } from './support/log-secrets';
import { RunningServices } from './support/running-services';
import { TokenMint } from './support/token-mint';

const { Admin, SocAnalyst, Reviewer, Ingest, Introspect, RevokeTokens, GlobalTokenRevocation, OwnerLifecycle, LinkIdentities, ReadOwners } = Role;
const READ_AGENTS = [Admin, SocAnalyst, Reviewer];

/**
 * Who may call each route, from the @Roles() decorators of the controllers (a method's list replaces its
 * controller's). A route the running service serves that is missing here, or listed here and not served,
 * fails the test: every new route must be placed in this table or among the public ones.
 */
const PROTECTED: Record<ServiceName, Record<string, Role[]>> = {
  provisioner: {
    'POST /agents': [Admin],
    'GET /agents': READ_AGENTS,
    'GET /agents/stats': READ_AGENTS,
    'GET /agents/{id}': READ_AGENTS,
    'PATCH /agents/{id}': [Admin],
    'GET /owners/{ownerId}/agents': READ_AGENTS,
    'POST /agents/{id}/suspend': [Admin, SocAnalyst],
    'POST /agents/{id}/reactivate': [Admin],
    'POST /agents/{id}/deprovision': [Admin],
    'GET /audit': [Admin, SocAnalyst],
    'GET /audit/verify': [Admin],
    'POST /agents/{id}/revoke-tokens': [Admin, SocAnalyst, RevokeTokens],
    'POST /global-token-revocation': [Admin, GlobalTokenRevocation],
    'POST /agents/{id}/rotate-secret': [Admin],
    'POST /oauth2/keys/rotate': [Admin],
    'POST /oauth2/keys/{kid}/revoke': [Admin],
    'POST /oauth2/introspect': [Admin, Introspect, SocAnalyst],
    'GET /scim/v2/Users': [Ingest],
    'POST /scim/v2/Users': [Ingest],
    'GET /scim/v2/Users/{id}': [Ingest],
    'PUT /scim/v2/Users/{id}': [Ingest],
    'PATCH /scim/v2/Users/{id}': [Ingest],
    'DELETE /scim/v2/Users/{id}': [Ingest],
    'GET /scim/v2/Agents': [Ingest],
    'POST /scim/v2/Agents': [Ingest],
    'GET /scim/v2/Agents/{id}': [Ingest],
    'PUT /scim/v2/Agents/{id}': [Ingest],
    'PATCH /scim/v2/Agents/{id}': [Ingest],
    'DELETE /scim/v2/Agents/{id}': [Ingest],
    'GET /scim/v2/ServiceProviderConfig': [Ingest],
    'GET /scim/v2/ResourceTypes': [Ingest],
    'GET /scim/v2/ResourceTypes/{id}': [Ingest],
    'GET /scim/v2/Schemas': [Ingest],
    'GET /scim/v2/Schemas/{id}': [Ingest],
    'POST /owners': [Admin, Ingest],
    'GET /owners': [Admin, Ingest, SocAnalyst, Reviewer, ReadOwners],
    'GET /owners/{id}': [Admin, Ingest, SocAnalyst, Reviewer, ReadOwners],
    'PATCH /owners/{id}': [Admin, Ingest],
    'PUT /owners/{id}/identities': [Admin, LinkIdentities],
    'POST /owners/{id}/lifecycle-events': [Admin, OwnerLifecycle],
    'GET /resource-servers': READ_AGENTS,
    'POST /resource-servers': [Admin],
    'GET /resource-servers/{id}': READ_AGENTS,
    'PATCH /resource-servers/{id}': [Admin],
    'DELETE /resource-servers/{id}': [Admin],
    'GET /agents/{id}/delegates': READ_AGENTS,
    'PUT /agents/{id}/delegates/{delegateId}': [Admin],
    'DELETE /agents/{id}/delegates/{delegateId}': [Admin],
    'GET /identity-signals': [Admin, SocAnalyst],
    'GET /identity-signals/{id}': [Admin, SocAnalyst],
    'POST /identity-signals/{id}/resolve': [Admin],
    'POST /identity-signals/{id}/dismiss': [Admin],
  },
  'behavior-baseliner': {
    'GET /agents/{agentId}/baseline': [Admin, SocAnalyst],
  },
  containment: {
    'GET /incidents': [Admin, SocAnalyst],
    'GET /incidents/stream': [Admin, SocAnalyst],
    'GET /incidents/{id}': [Admin, SocAnalyst],
    'POST /incidents/{id}/acknowledge': [Admin, SocAnalyst],
    'POST /incidents/{id}/close': [Admin, SocAnalyst],
    'POST /incidents/{id}/release': [Admin, SocAnalyst],
    'POST /incidents/{id}/confirm': [Admin, SocAnalyst],
    'GET /policy': [Admin, SocAnalyst],
    'PUT /policy': [Admin],
    'GET /policy/versions': [Admin, SocAnalyst],
    'POST /agents/{agentId}/logout': [Admin, SocAnalyst],
    'POST /owners/{ownerId}/logout': [Admin, SocAnalyst],
    'POST /agents/{agentId}/external-tokens': [Admin, Ingest],
    'GET /connectors': [Admin, SocAnalyst],
    'GET /audit': [Admin, SocAnalyst],
    'GET /audit/verify': [Admin],
    // The Shared Signals transmitter's stream management and poll endpoints: receivers only, each its own streams.
    'GET /ssf/streams': [Role.SsfReceiver],
    'POST /ssf/streams': [Role.SsfReceiver],
    'PATCH /ssf/streams': [Role.SsfReceiver],
    'PUT /ssf/streams': [Role.SsfReceiver],
    'DELETE /ssf/streams': [Role.SsfReceiver],
    'GET /ssf/status': [Role.SsfReceiver],
    'POST /ssf/status': [Role.SsfReceiver],
    'POST /ssf/verify': [Role.SsfReceiver],
    'POST /ssf/poll/{streamId}': [Role.SsfReceiver],
  },
  'review-scheduler': {
    'GET /reviews': [Admin, Reviewer],
    'POST /reviews/{id}/decision': [Admin, Reviewer],
    'PUT /testing/clock': [Admin],
    'POST /campaigns': [Admin],
    'GET /campaigns/{id}': [Admin],
    'GET /reports/overdue': [Admin],
    'GET /reports/certifications': [Admin],
    'GET /reports/credentials-due-rotation': [Admin],
    'GET /reports/agents-without-active-owner': [Admin],
    'GET /audit': [Admin, SocAnalyst],
    'GET /audit/verify': [Admin],
  },
};

/** Routes without a bearer token, each with why, and what refuses a caller without its own credential. */
const RUNTIME_PUBLIC: Record<string, string> = {
  'GET /health/live': 'liveness probe (kubelet, no credentials)',
  'GET /health/ready': 'readiness probe (kubelet, no credentials)',
  'GET /metrics': 'Prometheus scrape, kept inside the cluster by the NetworkPolicy',
  'GET /openapi.json': 'API description, no data',
  'GET /docs': 'API description page, no data',
};
const PUBLIC: Record<ServiceName, Record<string, { why: string; refusedWithoutCredential?: number }>> = {
  provisioner: {
    'POST /oauth2/token': { why: 'OAuth client credentials grant: the client authenticates with its own secret (RFC 6749)', refusedWithoutCredential: 401 },
    'POST /oauth2/revoke': { why: 'RFC 7009 revocation by the client the token was issued to, with its own secret', refusedWithoutCredential: 401 },
    'GET /.well-known/jwks.json': { why: 'public keys that verify agent tokens' },
    'GET /.well-known/oauth-authorization-server': { why: 'RFC 8414 issuer metadata' },
    'GET /resource-servers/{id}/oauth-protected-resource': {
      why: 'RFC 9728 metadata of a registered resource server, public as at the resource itself (the probe names no registered one: 404)',
      refusedWithoutCredential: 404,
    },
    'GET /hooks/okta': { why: 'Okta Event Hook verification: the shared secret in the hook header', refusedWithoutCredential: 401 },
    'POST /hooks/okta': { why: 'Okta Event Hook delivery: the shared secret in the hook header', refusedWithoutCredential: 401 },
    'POST /ssf/events': { why: 'SSF push: the SET signature by the configured transmitter (RFC 8935)', refusedWithoutCredential: 400 },
  },
  'behavior-baseliner': {},
  containment: {
    'GET /.well-known/ssf-jwks.json': { why: 'public keys that verify the SETs containment pushes' },
    'GET /.well-known/ssf-configuration': { why: 'SSF 1.0 §7 transmitter configuration metadata: endpoint URLs and the JWKS location, no data' },
  },
  'review-scheduler': {},
};
/** What a public route with its own authentication is sent (a well-formed request without that credential). */
const PROBE: Record<string, { contentType: string; body: string }> = {
  'POST /oauth2/token': { contentType: 'application/x-www-form-urlencoded', body: 'grant_type=client_credentials&scope=crm%3Aread' },
  'POST /oauth2/revoke': { contentType: 'application/x-www-form-urlencoded', body: 'token=some-token' },
  'POST /ssf/events': { contentType: 'application/secevent+jwt', body: 'eyJhbGciOiJub25lIn0.e30.' },
};
/** The only controllers kept out of the OpenAPI documents, whose routes are listed in RUNTIME_PUBLIC. */
const EXCLUDED_FROM_OPENAPI = ['libs/service-runtime/src/lib/health/health.controller.ts', 'libs/service-runtime/src/lib/metrics/metrics.controller.ts'];

interface Answer {
  status: number;
  cacheControl: string | null;
  wwwAuthenticate: string | null;
  contentType: string;
  text: string;
}

/**
 * Every route every service serves, as its running instance describes itself, called without a token, with
 * every kind of bad token, and with every role: no token or a bad one is 401 (with the RFC 6750 challenge),
 * a role the route does not allow is 403, an allowed role gets past authorization. Public routes are listed
 * with their reason; those with their own authentication refuse a caller without it.
 */
describe('authentication and roles on every route of every service', () => {
  const mint = new TokenMint();
  const hookSecret = `okta-hook-${randomBytes(24).toString('base64url')}`;
  const transmitter = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const env = { AUTH_PUBLIC_KEY: mint.publicKeyPem };
  const services = new RunningServices({
    provisioner: {
      ...env,
      OKTA_EVENT_HOOK_SECRET: hookSecret,
      SSF_TRANSMITTER_PUBLIC_KEY: transmitter.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
      SSF_TRANSMITTER_ISSUER: 'https://idp.hostile.example/',
      SSF_AUDIENCE: 'https://agentgov.hostile.example/',
    },
    'behavior-baseliner': env,
    containment: env,
    'review-scheduler': env,
  });
  const secrets: Secret[] = [
    { name: 'Okta Event Hook secret', value: hookSecret },
    { name: 'issuer key-encryption key (development)', value: developmentKeyEncryptionKey('issuer').toString('base64') },
  ];
  const served = new Map<ServiceName, string[]>();
  let validByRole: Map<Role, string>;
  let invalid: Array<{ why: string; token: string }>;

  beforeAll(async () => {
    await services.start();
    validByRole = new Map(await Promise.all(ROLES.map(async (role) => [role, await mint.valid([role])] as const)));
    invalid = await mint.invalid(ROLES.slice());
    for (const name of SERVICE_NAMES) {
      const document = (await (await fetch(`${services.get(name).url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
      served.set(
        name,
        Object.entries(document.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`)),
      );
    }
  }, 90000);

  afterAll(() => services.stop(), 60000);

  async function call(service: ServiceName, route: string, authorization?: string, query = ''): Promise<Answer> {
    const [method, template] = route.split(' ') as [string, string];
    const path = template.replace(/\{[^}]+\}/g, () => randomUUID());
    const hasBody = !['GET', 'DELETE'].includes(method);
    // By default a body every validator refuses: a caller who gets past authorization changes nothing.
    const probe = PROBE[route] ?? {
      contentType: path.startsWith('/scim/') ? 'application/scim+json' : 'application/json',
      body: JSON.stringify({ hostileProbe: true }),
    };
    const response = await fetch(`${services.get(service).url}${path}${query}`, {
      method,
      headers: { ...(authorization ? { authorization } : {}), ...(hasBody ? { 'content-type': probe.contentType } : {}) },
      body: hasBody ? probe.body : undefined,
    });
    const contentType = response.headers.get('content-type') ?? '';
    // A stream an allowed caller opened (GET /incidents/stream) never ends by itself: its headers are the answer.
    const streamed = contentType.startsWith('text/event-stream');
    if (streamed) await response.body?.cancel();
    return {
      status: response.status,
      cacheControl: response.headers.get('cache-control'),
      wwwAuthenticate: response.headers.get('www-authenticate'),
      contentType,
      text: streamed ? '' : await response.text(),
    };
  }

  /** A 401 or 403 with its RFC 6750 challenge, in the route's error format, that does not echo the token. */
  function refusal(answer: Answer, status: 401 | 403, route: string, token?: string): string | undefined {
    if (answer.status !== status) return `${answer.status} ${answer.text.slice(0, 120)}`;
    const challenge =
      status === 401
        ? /^Bearer realm="agentgov"(, error="invalid_token", error_description="[^"]+")?$/
        : /^Bearer realm="agentgov", error="insufficient_scope"/;
    if (!challenge.test(answer.wwwAuthenticate ?? '')) return `challenge ${answer.wwwAuthenticate}`;
    const body = JSON.parse(answer.text);
    const clear = route.includes(' /scim/')
      ? body.schemas?.[0] === 'urn:ietf:params:scim:api:messages:2.0:Error' && body.status === String(status) && typeof body.detail === 'string'
      : answer.contentType.startsWith('application/problem+json') && body.status === status && /^AUTH_/.test(body.code) && typeof body.detail === 'string';
    if (!clear) return `unclear body ${answer.text.slice(0, 120)}`;
    const signature = token?.split('.')[2];
    if (signature && signature.length > 8 && answer.text.includes(signature)) return 'the answer echoes the token';
    return undefined;
  }

  it('serves exactly the routes of the table and the public list, and only the health and metrics controllers are kept out of OpenAPI', () => {
    for (const name of SERVICE_NAMES) {
      expect({ name, routes: [...served.get(name)!].sort() }).toEqual({ name, routes: [...Object.keys(PROTECTED[name]), ...Object.keys(PUBLIC[name])].sort() });
    }
    const excluded: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir)) {
        const path = join(dir, entry);
        if (statSync(path).isDirectory()) {
          if (entry !== 'node_modules') walk(path);
        } else if (path.endsWith('.ts') && !path.endsWith('.spec.ts') && /ApiExclude(Controller|Endpoint)\(/.test(readFileSync(path, 'utf8'))) {
          excluded.push(relative(REPO_ROOT, path));
        }
      }
    };
    for (const root of ['apps', 'libs']) walk(join(REPO_ROOT, root));
    expect(excluded.filter((p) => p.includes('/src/')).sort()).toEqual(EXCLUDED_FROM_OPENAPI);
  });

  it('answers 401 on every protected route without a token, with a bad token of each kind, and with a valid token in the query string', async () => {
    const problems: string[] = [];
    let calls = 0;
    for (const name of SERVICE_NAMES) {
      for (const route of Object.keys(PROTECTED[name])) {
        const attempts: Array<[string, string | undefined, string]> = [
          ['no token', undefined, ''],
          ['a bare "Bearer"', 'Bearer', ''],
          ['Basic credentials', `Basic ${Buffer.from('admin:admin').toString('base64')}`, ''],
          ...invalid.map(({ why, token }): [string, string, string] => [why, `Bearer ${token}`, '']),
          ['the token in the query string', undefined, `?access_token=${validByRole.get(Admin)}`],
        ];
        for (const [why, authorization, query] of attempts) {
          calls += 1;
          const problem = refusal(await call(name, route, authorization, query), 401, route, authorization?.slice(7));
          if (problem) problems.push(`${name} ${route} (${why}): ${problem}`);
        }
      }
    }
    console.log(`401 checks: ${calls} calls on ${Object.values(PROTECTED).reduce((n, r) => n + Object.keys(r).length, 0)} protected routes`);
    expect(problems).toEqual([]);
  }, 120000);

  it('answers 403 to every role a route does not allow, and lets every allowed role past authorization', async () => {
    const problems: string[] = [];
    let refused = 0;
    let admitted = 0;
    for (const name of SERVICE_NAMES) {
      for (const [route, allowed] of Object.entries(PROTECTED[name])) {
        for (const role of ROLES) {
          // Rotating the issuer's signing key is not undone by a refused body: an admin is only checked to be refused by nobody else.
          if (route === 'POST /oauth2/keys/rotate' && allowed.includes(role)) continue;
          const token = validByRole.get(role)!;
          const answer = await call(name, route, `Bearer ${token}`);
          if (allowed.includes(role)) {
            admitted += 1;
            if ([401, 403].includes(answer.status) || answer.status >= 500)
              problems.push(`${name} ${route} as ${role}: ${answer.status} ${answer.text.slice(0, 120)}`);
            // What an allowed caller gets may be a secret or personal data: never kept by a cache or proxy.
            if (answer.cacheControl !== 'no-store') problems.push(`${name} ${route} as ${role}: Cache-Control ${answer.cacheControl}`);
          } else {
            refused += 1;
            const problem = refusal(answer, 403, route, token);
            if (problem) problems.push(`${name} ${route} as ${role}: ${problem}`);
          }
        }
        // A token with no role at all is refused everywhere (GET /owners and /owners/{id} admit every role: this is their refusal).
        const problem = refusal(await call(name, route, `Bearer ${await mint.valid([])}`), 403, route);
        if (problem) problems.push(`${name} ${route} without roles: ${problem}`);
      }
    }
    console.log(`role checks: ${refused} refused as 403, ${admitted} admitted past authorization`);
    expect(problems).toEqual([]);
  }, 120000);

  it('serves the public routes without a token, and those with their own authentication refuse a caller without it', async () => {
    const problems: string[] = [];
    for (const name of SERVICE_NAMES) {
      for (const route of Object.keys(RUNTIME_PUBLIC)) {
        const answer = await call(name, route);
        if (answer.status !== 200) problems.push(`${name} ${route}: ${answer.status}`);
      }
      for (const [route, { refusedWithoutCredential }] of Object.entries(PUBLIC[name])) {
        // A bearer token is no credential here: it neither opens these routes nor is needed for the public ones.
        const answer = await call(name, route, `Bearer ${validByRole.get(Admin)}`);
        const expected = refusedWithoutCredential ?? 200;
        if (answer.status !== expected) problems.push(`${name} ${route}: ${answer.status}, expected ${expected}: ${answer.text.slice(0, 120)}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('no token, secret or key appears in any log line of any service (scanned after shutdown)', async () => {
    // An external token an agent runtime reports is a secret too, refused or not.
    const externalToken = `ext-${randomBytes(24).toString('base64url')}`;
    secrets.push({ name: 'reported external token', value: externalToken });
    const reported = await fetch(`${services.get('containment').url}/agents/${randomUUID()}/external-tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${validByRole.get(Ingest)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ connector: `no-such-connector-${randomBytes(4).toString('hex')}`, token: externalToken }),
    });
    expect(reported.status).toBe(422);
    expect(await services.stopAndScanLogs([...secrets, ...mint.secrets])).toBe('');
  }, 60000);
});
