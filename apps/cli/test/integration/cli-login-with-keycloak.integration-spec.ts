import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { Stack } from '@agentgov/service-testing';
import { CONSOLE_ROLE_MAP, CONSOLE_ROLES_CLAIM, ConsoleRealm, createConsoleTestRealm, KeycloakAdmin } from '@agentgov/test-support';

import { AgentgovCli } from '../support/agentgov-process';
import { addCliClient, approveDeviceSignIn } from '../support/keycloak-device-sign-in';

const AUDIENCE = 'agentgov';

/**
 * `agentgov login` against the real local Keycloak: the device authorization grant (RFC 8628) completed on
 * Keycloak's own pages, the token kept in a 0600 file and accepted by a service that trusts the realm, renewed with
 * its refresh token once expired, and revoked at sign-out.
 */
describe('agentgov login with a real OpenID issuer', () => {
  const admin = new KeycloakAdmin();
  let realm: ConsoleRealm;
  let stack: Stack;
  let cli: AgentgovCli;

  beforeAll(async () => {
    realm = await createConsoleTestRealm({ origins: ['http://127.0.0.1:3005'], audience: AUDIENCE, admin });
    await addCliClient(admin, realm, AUDIENCE);
    stack = new Stack({
      run: ['provisioner'],
      env: { AUTH_OIDC_ISSUER: realm.issuer, AUTH_OIDC_AUDIENCE: AUDIENCE, AUTH_OIDC_ROLES_CLAIM: CONSOLE_ROLES_CLAIM, AUTH_OIDC_ROLE_MAP: CONSOLE_ROLE_MAP },
    });
    await stack.start();
    cli = new AgentgovCli({ AGENTGOV_PROVISIONER_URL: stack.provisioner.url, AGENTGOV_OIDC_ISSUER: realm.issuer });
  }, 180_000);
  afterAll(async () => {
    cli?.cleanUp();
    await stack?.stop();
    await realm?.remove();
  }, 60_000);

  it('signs in through the device flow, keeps the token private, uses and renews it, and signs out', async () => {
    const login = cli.start(['login']);
    let stdout = '';
    let stderr = '';
    login.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    const prompt = new Promise<{ page: string; code: string; complete: string }>((resolve, reject) => {
      login.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8');
        const asked = /To sign in, open (\S+) and enter the code (\S+)\n\(or open (\S+)\)/.exec(stderr);
        if (asked) resolve({ page: asked[1]!, code: asked[2]!, complete: asked[3]! });
      });
      login.on('close', (code) => reject(new Error(`agentgov login ended (${code}) before asking: ${stderr}`)));
    });
    const exited = new Promise<number | null>((resolve) => login.on('close', resolve));

    const { page, code, complete } = await prompt;
    expect(page).toBe(`${realm.issuer}/device`);
    expect(complete).toBe(`${page}?user_code=${code}`);
    await approveDeviceSignIn(complete, realm.user('alice'));

    expect(await exited).toBe(0);
    const file = join(cli.home, '.config/agentgov/credentials.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(cli.home, '.config/agentgov')).mode & 0o777).toBe(0o700);
    const stored = JSON.parse(readFileSync(file, 'utf8'));
    expect(stored).toMatchObject({ issuer: realm.issuer, clientId: 'agentgov-cli', tokenEndpoint: `${realm.issuer}/protocol/openid-connect/token` });
    for (const secret of [stored.accessToken, stored.refreshToken]) {
      expect(typeof secret).toBe('string');
      expect(stdout + stderr).not.toContain(secret);
    }
    expect(stdout).toMatch(new RegExp(`^signed in as [0-9a-f-]{36} at ${realm.issuer}; roles: .*agentgov-admin.*\\(the identity provider's names`));

    const whoami = await cli.run(['whoami', '--json']);
    expect(whoami.code).toBe(0);
    expect(whoami.json()).toMatchObject({ issuer: realm.issuer, audience: expect.arrayContaining([AUDIENCE]), source: 'agentgov login', expired: false });
    expect(whoami.json().providerRoles).toEqual(expect.arrayContaining(['agentgov-admin', 'agentgov-soc']));
    expect(whoami.stdout).not.toContain(stored.accessToken);

    // The provisioner trusts the realm and maps alice's realm roles to admin and soc-analyst.
    const agents = await cli.run(['agents', 'list', '--json']);
    expect(agents.code).toBe(0);
    expect(agents.json()).toHaveProperty('items');

    // Expired: the next command renews the token with the refresh token, and stores the new one.
    writeFileSync(file, JSON.stringify({ ...stored, expiresAt: new Date(Date.now() - 60_000).toISOString() }), { mode: 0o600 });
    const renewed = await cli.run(['agents', 'list', '--json']);
    expect(renewed.code).toBe(0);
    const after = JSON.parse(readFileSync(file, 'utf8'));
    expect(after.accessToken).not.toBe(stored.accessToken);
    expect(Date.parse(after.expiresAt)).toBeGreaterThan(Date.now());
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const logout = await cli.run(['logout']);
    expect(logout).toMatchObject({ code: 0, stdout: `signed out: deleted ${file} and revoked the refresh token\n` });
    const refresh = await fetch(after.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: after.refreshToken, client_id: 'agentgov-cli' }).toString(),
    });
    expect(refresh.status).toBe(400);
    const signedOut = await cli.run(['whoami']);
    expect(signedOut.code).toBe(1);
    expect(signedOut.stderr).toBe('agentgov: not signed in\n  run agentgov login, or give a token with --token or AGENTGOV_TOKEN\n');
  }, 120_000);
});
