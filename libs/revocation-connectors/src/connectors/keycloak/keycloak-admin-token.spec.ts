import { KeycloakConfig } from '../../config/connector-config';
import { createHttpClient } from '../../http/http-client';
import { ConnectorStop } from '../connector-stop';
import { EXPIRY_SKEW_MS, KeycloakAdminToken, renewalDelay, RETRY_FIRST_MS, RETRY_MAX_MS } from './keycloak-admin-token';

const CONFIG: KeycloakConfig = {
  name: 'corp-keycloak',
  type: 'keycloak',
  baseUrl: 'http://keycloak.test',
  realm: 'agents',
  clientId: 'agentgov-admin',
  clientSecret: 'kc-admin-secret-7e6d5c4b3a29',
  agentIdentity: 'client-or-user',
  timeoutMs: 1000,
  allowPlainHttp: true,
};

/**
 * The token endpoint as a plain function: each request gets the next scripted answer (the last one repeats). Only
 * the renewal logic is under test here; the connector's behaviour at a real Keycloak is in the integration tests.
 */
function tokenEndpoint(answers: Array<{ status: number; body?: unknown }>) {
  const requests: Array<{ url: string; body: string; authorization: string | null; at: number }> = [];
  const fetchImpl = (async (url: string | URL, init?: RequestInit) => {
    requests.push({ url: String(url), body: String(init?.body), authorization: new Headers(init?.headers).get('authorization'), at: Date.now() });
    const answer = answers[Math.min(requests.length - 1, answers.length - 1)]!;
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), { status: answer.status });
  }) as typeof fetch;
  return { requests, fetchImpl };
}

const token = (n: number, expiresIn = 300) => ({ status: 200, body: { access_token: `admin-token-${n}`, expires_in: expiresIn, token_type: 'Bearer' } });
const numbered = (count: number, expiresIn = 300) => Array.from({ length: count }, (_, i) => token(i + 1, expiresIn));

describe('the Keycloak admin token, kept warm', () => {
  let adminToken: KeycloakAdminToken | undefined;

  beforeEach(() => jest.useFakeTimers({ now: new Date('2025-03-01T12:00:00.000Z') }));
  afterEach(() => {
    adminToken?.stop();
    jest.useRealTimers();
  });

  function warmToken(fetchImpl: typeof fetch): KeycloakAdminToken {
    adminToken = new KeycloakAdminToken(CONFIG, { http: createHttpClient(fetchImpl, CONFIG.timeoutMs), now: () => new Date() });
    return adminToken;
  }
  /** Lets the fake clock run, and every promise settled by it. */
  const elapse = (ms: number) => jest.advanceTimersByTimeAsync(ms);

  it('asks for a token at start, by client credentials with the admin client in the Basic header', async () => {
    const endpoint = tokenEndpoint(numbered(3));
    warmToken(endpoint.fetchImpl).start();
    await elapse(0);

    expect(endpoint.requests).toHaveLength(1);
    expect(endpoint.requests[0]).toMatchObject({
      url: 'http://keycloak.test/realms/agents/protocol/openid-connect/token',
      body: 'grant_type=client_credentials',
      authorization: `Basic ${Buffer.from(`${CONFIG.clientId}:${CONFIG.clientSecret}`).toString('base64')}`,
    });
    // The first revocation finds it ready: no request of its own.
    await expect(adminToken!.get()).resolves.toBe('admin-token-1');
    expect(endpoint.requests).toHaveLength(1);
  });

  it('renews the token 30 s before it expires, before anyone needs it', async () => {
    const endpoint = tokenEndpoint(numbered(3));
    warmToken(endpoint.fetchImpl).start();
    await elapse(269_999);
    expect(endpoint.requests).toHaveLength(1);
    await elapse(1);
    expect(endpoint.requests).toHaveLength(2);
    await elapse(29_000); // 299 s after the first one, which would be too close to its expiry now
    await expect(adminToken!.get()).resolves.toBe('admin-token-2');
    expect(endpoint.requests).toHaveLength(2);
    await elapse(270_000);
    expect(endpoint.requests).toHaveLength(3);
  });

  it('renews a short-lived token at half its life', async () => {
    expect(renewalDelay(300_000)).toBe(270_000);
    expect(renewalDelay(40_000)).toBe(20_000);
    const endpoint = tokenEndpoint(numbered(3, 40));
    warmToken(endpoint.fetchImpl).start();
    await elapse(19_999);
    expect(endpoint.requests).toHaveLength(1);
    await elapse(1);
    expect(endpoint.requests).toHaveLength(2);
  });

  it('after a failure, tries again in 1, 2, 4 … s up to a minute, and renews normally once it succeeds', async () => {
    const down = { status: 503, body: 'Service Unavailable' };
    const endpoint = tokenEndpoint([...Array.from({ length: 9 }, () => down), token(1)]);
    warmToken(endpoint.fetchImpl).start();
    await elapse(0);
    const gaps = [1, 2, 4, 8, 16, 32, 60, 60, 60].map((s) => s * 1000);
    for (const gap of gaps) {
      const before = endpoint.requests.length;
      await elapse(gap - 1);
      expect(endpoint.requests).toHaveLength(before);
      await elapse(1);
      expect(endpoint.requests).toHaveLength(before + 1);
    }
    expect(gaps.at(-1)).toBe(RETRY_MAX_MS);
    expect(gaps[0]).toBe(RETRY_FIRST_MS);
    await expect(adminToken!.get()).resolves.toBe('admin-token-1');
    const requests = endpoint.requests.length;
    await elapse(269_999);
    expect(endpoint.requests).toHaveLength(requests);
    await elapse(1);
    expect(endpoint.requests).toHaveLength(requests + 1);
  });

  it('a get() while there is no token asks at once, sharing the request with the renewal and other callers', async () => {
    let release: (() => void) | undefined;
    const endpoint = tokenEndpoint(numbered(2));
    const slowFetch = (async (url: string | URL, init?: RequestInit) => {
      await new Promise<void>((resolve) => (release = resolve));
      return endpoint.fetchImpl(url, init);
    }) as typeof fetch;
    warmToken(slowFetch).start();
    const both = Promise.all([adminToken!.get(), adminToken!.get()]);
    await elapse(0);
    release!();
    await expect(both).resolves.toEqual(['admin-token-1', 'admin-token-1']);
    expect(endpoint.requests).toHaveLength(1);
  });

  it('hands out no token within 5 s of its expiry: a get() then asks for a new one', async () => {
    const endpoint = tokenEndpoint(numbered(2));
    warmToken(endpoint.fetchImpl).start();
    await elapse(0);
    adminToken!.stop(); // no renewal: only get() can ask
    await elapse(300_000 - EXPIRY_SKEW_MS - 1);
    await expect(adminToken!.get()).resolves.toBe('admin-token-1');
    await elapse(1);
    await expect(adminToken!.get()).resolves.toBe('admin-token-2');
    expect(endpoint.requests).toHaveLength(2);
  });

  it('forgets a token the admin API refused: the next get() asks for a new one', async () => {
    const endpoint = tokenEndpoint(numbered(2));
    warmToken(endpoint.fetchImpl).start();
    await elapse(0);
    adminToken!.invalidate('some-other-token');
    await expect(adminToken!.get()).resolves.toBe('admin-token-1');
    adminToken!.invalidate('admin-token-1');
    await expect(adminToken!.get()).resolves.toBe('admin-token-2');
    expect(endpoint.requests).toHaveLength(2);
  });

  it('a get() when none can be had fails with the outcome, never the secret', async () => {
    const endpoint = tokenEndpoint([{ status: 401, body: { error: 'unauthorized_client', error_description: `bad secret ${CONFIG.clientSecret}` } }]);
    warmToken(endpoint.fetchImpl);
    const failure = await adminToken!.get().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ConnectorStop);
    expect((failure as ConnectorStop).outcome).toEqual({ status: 'failed', reason: expect.stringMatching(/^keycloak token endpoint: HTTP 401: /) });
    expect(JSON.stringify((failure as ConnectorStop).outcome)).not.toContain(CONFIG.clientSecret);
    // Never started: nothing is renewed behind the caller's back.
    await elapse(120_000);
    expect(endpoint.requests).toHaveLength(1);
  });

  it('stop() ends the renewals', async () => {
    const endpoint = tokenEndpoint(numbered(3));
    warmToken(endpoint.fetchImpl).start();
    await elapse(0);
    adminToken!.stop();
    await elapse(3_600_000);
    expect(endpoint.requests).toHaveLength(1);
  });
});
