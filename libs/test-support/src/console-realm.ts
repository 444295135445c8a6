import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

import { KeycloakAdmin, removeStaleTestRealms, testRealmName } from './keycloak-realm';

/** The console's public client: authorization code with PKCE (S256) only. */
export const CONSOLE_CLIENT_ID = 'agentgov-console';

/** The realm roles people hold at the identity provider, and the agentgov role each grants (AUTH_OIDC_ROLE_MAP). */
export const CONSOLE_REALM_ROLES: Readonly<Record<string, 'admin' | 'soc-analyst' | 'reviewer'>> = {
  'agentgov-admin': 'admin',
  'agentgov-soc': 'soc-analyst',
  'agentgov-reviewer': 'reviewer',
};

/** AUTH_OIDC_ROLE_MAP for the services behind a console realm. */
export const CONSOLE_ROLE_MAP = Object.entries(CONSOLE_REALM_ROLES)
  .map(([idpRole, role]) => `${idpRole}=${role}`)
  .join(',');

/** Where Keycloak puts realm roles in its access tokens (AUTH_OIDC_ROLES_CLAIM). */
export const CONSOLE_ROLES_CLAIM = 'realm_access.roles';

export interface ConsoleUserSpec {
  username: string;
  firstName: string;
  lastName: string;
  /** Realm roles (keys of CONSOLE_REALM_ROLES). */
  realmRoles: readonly string[];
}

/**
 * The people of the demonstration: an admin who is also an analyst, two analysts (a containment scored 0.99 or more
 * takes two to release), a reviewer, and someone signed in with no role of ours, whom every API refuses.
 */
export const CONSOLE_DEMO_USERS: readonly ConsoleUserSpec[] = [
  { username: 'alice', firstName: 'Alice', lastName: 'Admin', realmRoles: ['agentgov-admin', 'agentgov-soc'] },
  { username: 'sam', firstName: 'Sam', lastName: 'Analyst', realmRoles: ['agentgov-soc'] },
  { username: 'omar', firstName: 'Omar', lastName: 'Analyst', realmRoles: ['agentgov-soc'] },
  { username: 'rita', firstName: 'Rita', lastName: 'Reviewer', realmRoles: ['agentgov-reviewer'] },
  { username: 'nora', firstName: 'Nora', lastName: 'Norole', realmRoles: [] },
];

export interface ConsoleRealmUser {
  username: string;
  password: string;
  /** The agentgov roles the user's realm roles map to. */
  roles: string[];
}

export interface ConsoleRealm {
  name: string;
  /** The issuer identifier of the realm (AUTH_OIDC_ISSUER, the console's issuer). */
  issuer: string;
  clientId: string;
  users: ConsoleRealmUser[];
  user(username: string): ConsoleRealmUser;
  /** Changes realm settings (e.g. `accessTokenLifespan` in seconds), as the admin console would. */
  update(settings: Record<string, unknown>): Promise<void>;
  /** Deletes the realm (tests; `npm start` keeps its realm across runs). */
  remove(): Promise<void>;
}

export interface EnsureConsoleRealmOptions {
  /** Realm name, e.g. `agentgov`. */
  name: string;
  /** Origins the console is served from (`http://127.0.0.1:3005`): its redirect, post-logout and CORS origins. */
  origins: readonly string[];
  /** The `aud` the services accept (AUTH_OIDC_AUDIENCE), added to the console's access tokens. */
  audience: string;
  users?: readonly ConsoleUserSpec[];
  /**
   * A JSON file (mode 0600) holding the users' passwords: read first (a password already there is kept, so that a
   * second `npm start` does not change it), then written. Passwords are generated, never printed.
   */
  passwordsFile?: string;
  admin?: KeycloakAdmin;
}

/**
 * Creates the console's realm at the local Keycloak, or brings an existing one to this shape (idempotent): the realm
 * roles of CONSOLE_REALM_ROLES, the public client `agentgov-console` (standard flow only, PKCE S256 required, the
 * console's origins as redirect, post-logout and web origins, and an audience mapper so that access tokens name the
 * services' audience) and the users, with generated passwords and exactly their realm roles of ours.
 */
export async function ensureConsoleRealm(options: EnsureConsoleRealmOptions): Promise<ConsoleRealm> {
  const admin = options.admin ?? new KeycloakAdmin();
  const specs = options.users ?? CONSOLE_DEMO_USERS;
  const known = options.passwordsFile ? readPasswords(options.passwordsFile) : {};
  const realm = `/${encodeURIComponent(options.name)}`;

  const existing = await admin.call('GET', realm, undefined, [200, 404]);
  if (existing.status === 404) {
    await admin.call('POST', '', {
      realm: options.name,
      displayName: 'agentgov',
      enabled: true,
      registrationAllowed: false,
      editUsernameAllowed: false,
      bruteForceProtected: true,
      roles: { realm: Object.keys(CONSOLE_REALM_ROLES).map((name) => ({ name, description: `agentgov ${CONSOLE_REALM_ROLES[name]}` })) },
      clients: [consoleClient(options)],
    });
  } else {
    for (const name of Object.keys(CONSOLE_REALM_ROLES)) {
      const role = await admin.call('GET', `${realm}/roles/${encodeURIComponent(name)}`, undefined, [200, 404]);
      if (role.status === 404) await admin.call('POST', `${realm}/roles`, { name, description: `agentgov ${CONSOLE_REALM_ROLES[name]}` });
    }
    await ensureConsoleClient(admin, realm, options);
  }

  const roleRepresentations = new Map<string, unknown>();
  for (const name of Object.keys(CONSOLE_REALM_ROLES)) {
    roleRepresentations.set(name, (await admin.call('GET', `${realm}/roles/${encodeURIComponent(name)}`)).body);
  }
  const users: ConsoleRealmUser[] = [];
  for (const spec of specs) {
    const password = known[spec.username] ?? randomBytes(15).toString('base64url');
    const id = await ensureUser(admin, realm, spec, password);
    const current = ((await admin.call('GET', `${realm}/users/${id}/role-mappings/realm`)).body as { name: string }[]).map((r) => r.name);
    const ours = Object.keys(CONSOLE_REALM_ROLES);
    const missing = spec.realmRoles.filter((r) => !current.includes(r));
    const extra = current.filter((r) => ours.includes(r) && !spec.realmRoles.includes(r));
    if (missing.length)
      await admin.call(
        'POST',
        `${realm}/users/${id}/role-mappings/realm`,
        missing.map((r) => roleRepresentations.get(r)),
      );
    if (extra.length)
      await admin.call(
        'DELETE',
        `${realm}/users/${id}/role-mappings/realm`,
        extra.map((r) => roleRepresentations.get(r)),
      );
    users.push({ username: spec.username, password, roles: spec.realmRoles.map((r) => CONSOLE_REALM_ROLES[r]).filter(Boolean) });
  }

  const issuer = `${admin.keycloak.url}/realms/${options.name}`;
  if (options.passwordsFile) writePasswords(options.passwordsFile, issuer, users);
  return {
    name: options.name,
    issuer,
    clientId: CONSOLE_CLIENT_ID,
    users,
    user(username) {
      const user = users.find((u) => u.username === username);
      if (!user) throw new Error(`no user ${username} in realm ${options.name}`);
      return user;
    },
    update: async (settings) => void (await admin.call('PUT', realm, settings)),
    remove: async () => void (await admin.call('DELETE', realm, undefined, [204, 404])),
  };
}

/** A console realm of a test's own (removed by `remove()`, or as a stale test realm two hours later). */
export async function createConsoleTestRealm(options: Omit<EnsureConsoleRealmOptions, 'name' | 'passwordsFile'>): Promise<ConsoleRealm> {
  const admin = options.admin ?? new KeycloakAdmin();
  await removeStaleTestRealms(admin);
  return ensureConsoleRealm({ ...options, admin, name: testRealmName() });
}

function consoleClient(options: EnsureConsoleRealmOptions): Record<string, unknown> {
  const origins = options.origins.map((o) => new URL(o).origin);
  return {
    clientId: CONSOLE_CLIENT_ID,
    name: 'agentgov SOC console',
    enabled: true,
    publicClient: true,
    standardFlowEnabled: true,
    implicitFlowEnabled: false,
    directAccessGrantsEnabled: false,
    serviceAccountsEnabled: false,
    frontchannelLogout: true,
    redirectUris: origins.map((o) => `${o}/callback`),
    webOrigins: origins,
    attributes: {
      'pkce.code.challenge.method': 'S256',
      'post.logout.redirect.uris': origins.map((o) => `${o}/`).join('##'),
    },
    protocolMappers: [audienceMapper(options.audience)],
  };
}

/** Brings the existing client to the shape consoleClient() describes (its protocol mappers have their own endpoint). */
async function ensureConsoleClient(admin: KeycloakAdmin, realm: string, options: EnsureConsoleRealmOptions): Promise<void> {
  const { protocolMappers: _mappers, ...wanted } = consoleClient(options);
  const found = (
    (await admin.call('GET', `${realm}/clients?${new URLSearchParams({ clientId: CONSOLE_CLIENT_ID })}`)).body as { id: string; clientId: string }[]
  ).find((c) => c.clientId === CONSOLE_CLIENT_ID);
  if (!found) {
    await admin.call('POST', `${realm}/clients`, consoleClient(options));
    return;
  }
  const current = (await admin.call('GET', `${realm}/clients/${found.id}`)).body as Record<string, unknown>;
  await admin.call('PUT', `${realm}/clients/${found.id}`, {
    ...current,
    ...wanted,
    attributes: { ...(current['attributes'] as object), ...(wanted['attributes'] as object) },
  });
  const mappers = (await admin.call('GET', `${realm}/clients/${found.id}/protocol-mappers/models`)).body as { id: string; name: string }[];
  const mapper = audienceMapper(options.audience);
  const old = mappers.find((m) => m.name === mapper['name']);
  if (old) await admin.call('DELETE', `${realm}/clients/${found.id}/protocol-mappers/models/${old.id}`);
  await admin.call('POST', `${realm}/clients/${found.id}/protocol-mappers/models`, mapper);
}

/** The services' audience in the console's access tokens (not in its ID tokens: those are for the console only). */
function audienceMapper(audience: string): Record<string, unknown> {
  return {
    name: 'agentgov API audience',
    protocol: 'openid-connect',
    protocolMapper: 'oidc-audience-mapper',
    config: { 'included.custom.audience': audience, 'access.token.claim': 'true', 'id.token.claim': 'false', 'introspection.token.claim': 'true' },
  };
}

/** Creates the user or resets its password and profile; returns its id. A complete profile: no form at first login. */
async function ensureUser(admin: KeycloakAdmin, realm: string, spec: ConsoleUserSpec, password: string): Promise<string> {
  const profile = {
    username: spec.username,
    enabled: true,
    firstName: spec.firstName,
    lastName: spec.lastName,
    email: `${spec.username}@agentgov.example`,
    emailVerified: true,
    requiredActions: [],
  };
  const found = async () =>
    (
      (await admin.call('GET', `${realm}/users?${new URLSearchParams({ username: spec.username, exact: 'true' })}`)).body as { id: string; username: string }[]
    ).find((u) => u.username === spec.username);
  const existing = await found();
  if (!existing) {
    await admin.call('POST', `${realm}/users`, { ...profile, credentials: [{ type: 'password', value: password, temporary: false }] });
    const created = await found();
    if (!created) throw new Error(`keycloak did not create user ${spec.username}`);
    return created.id;
  }
  await admin.call('PUT', `${realm}/users/${existing.id}`, profile);
  await admin.call('PUT', `${realm}/users/${existing.id}/reset-password`, { type: 'password', value: password, temporary: false });
  return existing.id;
}

interface PasswordsFile {
  issuer: string;
  users: ConsoleRealmUser[];
}

function readPasswords(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as PasswordsFile;
    return Object.fromEntries(parsed.users.map((u) => [u.username, u.password]));
  } catch {
    // An unreadable file is replaced with fresh passwords.
    return {};
  }
}

function writePasswords(file: string, issuer: string, users: ConsoleRealmUser[]): void {
  mkdirSync(dirname(file), { recursive: true });
  const content: PasswordsFile = { issuer, users };
  writeFileSync(file, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  // The mode given to writeFileSync applies only to a file it creates.
  chmodSync(file, 0o600);
}

export interface SignedInTokens {
  access_token: string;
  id_token?: string;
  refresh_token?: string;
  expires_in: number;
}

/**
 * Signs a user in to the console's client the way a browser does, without one: the authorization code flow with
 * PKCE (S256) through the realm's real login form (cookies kept by hand), then the code exchanged at the token
 * endpoint. For API tests that need a person's token; the console's own sign-in is proven in a real browser.
 */
export async function signInThroughLoginForm(
  realm: Pick<ConsoleRealm, 'issuer' | 'clientId'>,
  user: { username: string; password: string },
  redirectUri: string,
): Promise<SignedInTokens> {
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const cookies = new Map<string, string>();
  const keep = (response: Response) => {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair.indexOf('=');
      if (at > 0) cookies.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
    }
  };
  const cookieHeader = () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const authorize = `${realm.issuer}/protocol/openid-connect/auth?${new URLSearchParams({
    client_id: realm.clientId,
    response_type: 'code',
    scope: 'openid',
    redirect_uri: redirectUri,
    state,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  })}`;
  const page = await fetch(authorize, { redirect: 'manual', signal: AbortSignal.timeout(30_000) });
  keep(page);
  const html = await page.text();
  const action = /<form[^>]*id="kc-form-login"[^>]*action="([^"]+)"/.exec(html)?.[1];
  if (page.status !== 200 || !action) throw new Error(`keycloak did not show its login form (HTTP ${page.status})`);
  const submitted = await fetch(action.replace(/&amp;/g, '&'), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader() },
    body: new URLSearchParams({ username: user.username, password: user.password, credentialId: '' }).toString(),
    signal: AbortSignal.timeout(30_000),
  });
  const location = submitted.headers.get('location');
  if (submitted.status !== 302 || !location) throw new Error(`keycloak refused ${user.username}'s sign-in (HTTP ${submitted.status})`);
  const answer = new URL(location).searchParams;
  if (answer.get('state') !== state || !answer.get('code')) throw new Error('keycloak answered without the code, or with another state');
  const exchanged = await fetch(`${realm.issuer}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: realm.clientId,
      code: answer.get('code') as string,
      redirect_uri: redirectUri,
      code_verifier: verifier,
    }).toString(),
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await exchanged.json()) as SignedInTokens & { error?: string };
  if (exchanged.status !== 200) throw new Error(`keycloak refused the code exchange: HTTP ${exchanged.status} ${body.error ?? ''}`);
  return body;
}
