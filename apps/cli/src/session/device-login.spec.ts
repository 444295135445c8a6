import { DeviceCodePrompt, deviceLogin, discoverIssuer } from './device-login';

const ISSUER = 'https://idp.example/realms/agentgov';
const DISCOVERY = {
  issuer: ISSUER,
  token_endpoint: `${ISSUER}/protocol/openid-connect/token`,
  device_authorization_endpoint: `${ISSUER}/protocol/openid-connect/auth/device`,
};

/** The issuer's answers in order, each request recorded: the flow's logic alone, without a network. */
function scripted(answers: Array<[number, object]>) {
  const requests: Array<{ url: string; form: Record<string, string> }> = [];
  const fetchImpl = (async (url: string | URL, init?: RequestInit) => {
    requests.push({ url: String(url), form: Object.fromEntries(new URLSearchParams(String(init?.body ?? ''))) });
    const [status, body] = answers.shift() ?? [500, {}];
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  return { fetchImpl, requests };
}

describe('device authorization sign-in (RFC 8628)', () => {
  it('shows the code, polls at the interval (5 s more after slow_down) and keeps the tokens', async () => {
    const { fetchImpl, requests } = scripted([
      [200, DISCOVERY],
      [200, { device_code: 'dev-1', user_code: 'WDJB-MJHT', verification_uri: `${ISSUER}/device`, expires_in: 600, interval: 2 }],
      [400, { error: 'authorization_pending' }],
      [400, { error: 'slow_down' }],
      [200, { access_token: 'access-1', token_type: 'Bearer', expires_in: 300, refresh_token: 'refresh-1' }],
    ]);
    const slept: number[] = [];
    let clock = 1_000_000;
    const prompts: DeviceCodePrompt[] = [];

    const credentials = await deviceLogin({
      issuer: ISSUER,
      clientId: 'agentgov-cli',
      scope: 'openid',
      onPrompt: (p) => prompts.push(p),
      fetch: fetchImpl,
      sleep: async (ms) => {
        slept.push(ms);
        clock += ms;
      },
      now: () => clock,
    });

    expect(prompts).toEqual([{ verificationUri: `${ISSUER}/device`, userCode: 'WDJB-MJHT', expiresAt: new Date(1_000_000 + 600_000) }]);
    expect(slept).toEqual([2000, 2000, 7000]);
    expect(requests[1]).toEqual({ url: DISCOVERY.device_authorization_endpoint, form: { client_id: 'agentgov-cli', scope: 'openid' } });
    expect(requests[2]!.form).toEqual({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: 'dev-1', client_id: 'agentgov-cli' });
    expect(credentials).toEqual({
      issuer: ISSUER,
      clientId: 'agentgov-cli',
      tokenEndpoint: DISCOVERY.token_endpoint,
      accessToken: 'access-1',
      refreshToken: 'refresh-1',
      expiresAt: new Date(clock + 300_000).toISOString(),
    });
  });

  it('stops when the operator refuses at the issuer', async () => {
    const { fetchImpl } = scripted([
      [200, DISCOVERY],
      [200, { device_code: 'd', user_code: 'U', verification_uri: `${ISSUER}/device` }],
      [400, { error: 'access_denied' }],
    ]);

    await expect(
      deviceLogin({ issuer: ISSUER, clientId: 'c', scope: 'openid', onPrompt: () => undefined, fetch: fetchImpl, sleep: async () => undefined }),
    ).rejects.toThrow('the sign-in was refused at the issuer');
  });

  it('refuses a discovery document of another issuer, or endpoints that would carry tokens without TLS', async () => {
    await expect(discoverIssuer(ISSUER, scripted([[200, { ...DISCOVERY, issuer: 'https://evil.example' }]]).fetchImpl)).rejects.toThrow('names another issuer');
    await expect(discoverIssuer(ISSUER, scripted([[200, { ...DISCOVERY, token_endpoint: 'http://idp.example/token' }]]).fetchImpl)).rejects.toThrow(
      'is not https',
    );
    await expect(discoverIssuer(ISSUER, scripted([[200, { issuer: ISSUER, token_endpoint: DISCOVERY.token_endpoint }]]).fetchImpl)).rejects.toThrow(
      'does not offer the device authorization grant',
    );
    const local = 'http://127.0.0.1:8180/realms/agentgov';
    const endpoints = await discoverIssuer(
      local,
      scripted([[200, { issuer: local, token_endpoint: `${local}/token`, device_authorization_endpoint: `${local}/device` }]]).fetchImpl,
    );
    expect(endpoints.tokenEndpoint).toBe(`${local}/token`);
  });
});
