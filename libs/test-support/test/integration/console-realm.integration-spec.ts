import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { decodeJwt } from 'jose';

import { CONSOLE_CLIENT_ID, ConsoleRealm, ensureConsoleRealm, KeycloakAdmin, removeStaleTestRealms, signInThroughLoginForm, testRealmName } from '../../src';

/** The console's realm at the real local Keycloak 26 (scripts/infra/infra.sh runs it), made twice to prove it idempotent. */
describe('the console realm at the local Keycloak', () => {
  const admin = new KeycloakAdmin();
  const name = testRealmName();
  const origin = 'http://127.0.0.1:39005';
  const dir = mkdtempSync(join(tmpdir(), 'console-realm-'));
  const passwordsFile = join(dir, 'demo-users.json');
  let realm: ConsoleRealm;

  beforeAll(async () => {
    await removeStaleTestRealms(admin);
    realm = await ensureConsoleRealm({ name, origins: [origin], audience: 'agentgov', passwordsFile, admin });
  }, 60_000);

  afterAll(async () => {
    await admin.call('DELETE', `/${name}`, undefined, [204, 404]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('has a public client for the authorization code flow with PKCE S256 only, at the console origin', async () => {
    const [client] = (await admin.call('GET', `/${name}/clients?clientId=${CONSOLE_CLIENT_ID}`)).body;
    expect(client).toMatchObject({
      publicClient: true,
      standardFlowEnabled: true,
      implicitFlowEnabled: false,
      directAccessGrantsEnabled: false,
      serviceAccountsEnabled: false,
      redirectUris: [`${origin}/callback`],
      webOrigins: [origin],
    });
    expect(client.attributes['pkce.code.challenge.method']).toBe('S256');
  });

  it('writes the generated passwords to a file only its owner can read', () => {
    expect(statSync(passwordsFile).mode & 0o777).toBe(0o600);
    const file = JSON.parse(readFileSync(passwordsFile, 'utf8'));
    expect(file.issuer).toBe(realm.issuer);
    expect(file.users.map((u: { username: string; roles: string[] }) => [u.username, u.roles])).toEqual([
      ['alice', ['admin', 'soc-analyst']],
      ['sam', ['soc-analyst']],
      ['omar', ['soc-analyst']],
      ['rita', ['reviewer']],
      ['nora', []],
    ]);
    expect(new Set(file.users.map((u: { password: string }) => u.password)).size).toBe(5);
  });

  it("signs a person in through the login form; the access token names the services' audience and the person's realm roles", async () => {
    const tokens = await signInThroughLoginForm(realm, realm.user('alice'), `${origin}/callback`);
    const claims = decodeJwt(tokens.access_token);
    expect(claims.iss).toBe(realm.issuer);
    expect([claims.aud].flat()).toContain('agentgov');
    expect((claims['realm_access'] as { roles: string[] }).roles).toEqual(expect.arrayContaining(['agentgov-admin', 'agentgov-soc']));
    expect(claims['preferred_username']).toBe('alice');
    // The audience is for the APIs; the ID token is the console's alone.
    expect([decodeJwt(tokens.id_token as string).aud].flat()).toEqual([CONSOLE_CLIENT_ID]);
  });

  it('refuses the password grant and an authorization request without PKCE', async () => {
    const password = await fetch(`${realm.issuer}/protocol/openid-connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', client_id: CONSOLE_CLIENT_ID, username: 'alice', password: realm.user('alice').password }).toString(),
    });
    expect({ status: password.status, error: ((await password.json()) as { error: string }).error }).toEqual({ status: 400, error: 'unauthorized_client' });
    const withoutPkce = await fetch(
      `${realm.issuer}/protocol/openid-connect/auth?${new URLSearchParams({ client_id: CONSOLE_CLIENT_ID, response_type: 'code', scope: 'openid', redirect_uri: `${origin}/callback`, state: 's' })}`,
      { redirect: 'manual' },
    );
    expect(withoutPkce.status).toBe(302);
    expect(new URL(withoutPkce.headers.get('location') as string).searchParams.get('error')).toBe('invalid_request');
  });

  it('is made again without change of passwords, and repairs what was changed by hand', async () => {
    const [client] = (await admin.call('GET', `/${name}/clients?clientId=${CONSOLE_CLIENT_ID}`)).body;
    await admin.call('PUT', `/${name}/clients/${client.id}`, {
      ...client,
      redirectUris: ['https://evil.example/*'],
      attributes: { ...client.attributes, 'pkce.code.challenge.method': '' },
    });
    const [sam] = (await admin.call('GET', `/${name}/users?username=sam&exact=true`)).body;
    const adminRole = (await admin.call('GET', `/${name}/roles/agentgov-admin`)).body;
    await admin.call('POST', `/${name}/users/${sam.id}/role-mappings/realm`, [adminRole]);

    const again = await ensureConsoleRealm({ name, origins: [origin], audience: 'agentgov', passwordsFile, admin });

    expect(again.users.map((u) => u.password)).toEqual(realm.users.map((u) => u.password));
    const [repaired] = (await admin.call('GET', `/${name}/clients?clientId=${CONSOLE_CLIENT_ID}`)).body;
    expect(repaired.redirectUris).toEqual([`${origin}/callback`]);
    expect(repaired.attributes['pkce.code.challenge.method']).toBe('S256');
    const samRoles = ((await admin.call('GET', `/${name}/users/${sam.id}/role-mappings/realm`)).body as { name: string }[]).map((r) => r.name);
    expect(samRoles).toContain('agentgov-soc');
    expect(samRoles).not.toContain('agentgov-admin');
    const tokens = await signInThroughLoginForm(again, again.user('sam'), `${origin}/callback`);
    expect([decodeJwt(tokens.access_token).aud].flat()).toContain('agentgov');
  }, 60_000);

  it('refuses a wrong password at the login form', async () => {
    await expect(signInThroughLoginForm(realm, { username: 'rita', password: randomBytes(12).toString('hex') }, `${origin}/callback`)).rejects.toThrow(
      "keycloak refused rita's sign-in",
    );
  });
});
