import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The local Keycloak 26 that scripts/infra/infra.sh runs (http://127.0.0.1:8180, development mode): its base URL
 * and the master realm's admin, whose random password infra.sh wrote under its state directory
 * ($AGENTGOV_STATE_DIR, else $XDG_STATE_HOME/agentgov, else ~/.local/state/agentgov) in keycloak/admin.password.
 */
export interface LocalKeycloak {
  url: string;
  adminUsername: string;
  adminPassword: string;
}

export function localKeycloakStateDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const root = env['AGENTGOV_STATE_DIR'] || join(env['XDG_STATE_HOME'] || join(homedir(), '.local/state'), 'agentgov');
  return join(root, 'keycloak');
}

/** Where the local Keycloak is and how its admin logs in; throws naming the file when infra.sh has not made it. */
export function localKeycloak(): LocalKeycloak {
  const dir = localKeycloakStateDir();
  const passwordFile = join(dir, 'admin.password');
  if (!existsSync(passwordFile)) throw new Error(`${passwordFile} is missing: start the local Keycloak with scripts/infra/infra.sh up`);
  const urlFile = join(dir, 'url');
  const url = existsSync(urlFile) ? readFileSync(urlFile, 'utf8').trim() : 'http://127.0.0.1:8180';
  return { url, adminUsername: 'admin', adminPassword: readFileSync(passwordFile, 'utf8').trim() };
}

/**
 * The realm-management roles the keycloak connector's service account needs, and no more: manage-clients (find a
 * client by clientId, read it, disable it and move its notBefore) and manage-users (find a user, disable it, list
 * and end its sessions, read a client's service-account user). Keycloak lets manage-X do what view-X and query-X
 * do; the connector's tests prove that each of the two is needed.
 */
export const KEYCLOAK_CONNECTOR_ROLES: readonly string[] = ['manage-clients', 'manage-users'];

/** Every test realm's name starts with this; one older than REALM_MAX_AGE_MS is a crashed run's, and removed. */
const REALM_PREFIX = 'agentgov-test-';
const REALM_MAX_AGE_MS = 2 * 60 * 60 * 1000;
const CALL_TIMEOUT_MS = 30_000;

export interface KeycloakAnswer {
  status: number;
  body: any;
}

/** The admin REST API as the local master-realm admin (password grant of admin-cli), its token renewed as needed. */
export class KeycloakAdmin {
  private token?: { value: string; renewAt: number };

  constructor(readonly keycloak: LocalKeycloak = localKeycloak()) {}

  /** One admin API call under /admin/realms; throws with the status and body unless the status is expected. */
  async call(method: string, path: string, body?: unknown, expected: number[] = [200, 201, 204]): Promise<KeycloakAnswer> {
    const response = await fetch(`${this.keycloak.url}/admin/realms${path}`, {
      method,
      headers: {
        authorization: `Bearer ${await this.accessToken()}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
    });
    const text = await response.text();
    const answer = { status: response.status, body: text ? parseJson(text) : undefined };
    if (!expected.includes(answer.status)) throw new Error(`keycloak admin ${method} ${path}: HTTP ${answer.status} ${text.slice(0, 300)}`);
    return answer;
  }

  private async accessToken(): Promise<string> {
    if (this.token && Date.now() < this.token.renewAt) return this.token.value;
    const { url, adminUsername, adminPassword } = this.keycloak;
    const answer = await postForm(`${url}/realms/master/protocol/openid-connect/token`, {
      grant_type: 'password',
      client_id: 'admin-cli',
      username: adminUsername,
      password: adminPassword,
    });
    if (answer.status !== 200)
      throw new Error(`keycloak: the local admin cannot log in (HTTP ${answer.status}); scripts/infra/infra.sh reset-keycloak makes it anew`);
    this.token = { value: answer.body.access_token, renewAt: Date.now() + (answer.body.expires_in - 15) * 1000 };
    return this.token.value;
  }
}

export interface KeycloakTestClient {
  /** Keycloak's internal id of the client. */
  id: string;
  clientId: string;
  secret: string;
}

export interface KeycloakTestUser {
  id: string;
  username: string;
  password: string;
}

export interface TokenAnswer {
  access_token: string;
  refresh_token?: string;
  expires_in: number;
}

export interface CreateRealmOptions {
  /** The connector's service-account roles (realm-management client roles); KEYCLOAK_CONNECTOR_ROLES by default. */
  connectorRoles?: readonly string[];
  /** The realm's access token lifespan in seconds (Keycloak's default: 300). */
  accessTokenLifespanS?: number;
  /** Agents registered as confidential clients (client_credentials only), by clientId. */
  clients?: string[];
  /** Agents registered as users (who log in with the password grant of the public client `agent-login`), by username. */
  users?: string[];
}

/**
 * A realm of its own for one test, made through the admin API of the real local Keycloak:
 * - `containment`: the keycloak connector's confidential client, with a service account holding `connectorRoles`;
 * - `resource-server`: a confidential client that introspects tokens the way a protected API would (the agents'
 *   tokens carry it in their audience, without which Keycloak 26 answers an introspection with inactive);
 * - `agent-login`: a public client with direct access grants, through which a user agent gets a session;
 * - the `clients` and `users` asked for (agents, sub-agents and bystanders), each with its own secret or password.
 * `remove()` deletes the realm and all in it.
 */
export class KeycloakTestRealm {
  readonly clients = new Map<string, KeycloakTestClient>();
  readonly users = new Map<string, KeycloakTestUser>();

  private constructor(
    readonly admin: KeycloakAdmin,
    readonly name: string,
    readonly connector: KeycloakTestClient,
    private readonly resourceServer: { clientId: string; secret: string },
  ) {}

  get baseUrl(): string {
    return this.admin.keycloak.url;
  }

  /** A `keycloak` entry for containment's connectors file (or createConnectors), pointing at this realm. */
  connectorEntry(name = 'keycloak', extra: Record<string, unknown> = {}): { name: string; type: 'keycloak' } & Record<string, unknown> {
    return {
      name,
      type: 'keycloak',
      baseUrl: this.baseUrl,
      realm: this.name,
      clientId: this.connector.clientId,
      clientSecret: this.connector.secret,
      ...extra,
    };
  }

  static async create(options: CreateRealmOptions = {}): Promise<KeycloakTestRealm> {
    const admin = new KeycloakAdmin();
    await removeStaleTestRealms(admin);
    const name = testRealmName();
    const connector = { clientId: 'containment', secret: secret() };
    const resourceServer = { clientId: 'resource-server', secret: secret() };
    const agents = (options.clients ?? []).map((clientId) => ({ clientId, secret: secret() }));
    const people = (options.users ?? []).map((username) => ({ username, password: secret() }));
    // One request makes the realm and everything in it.
    await admin.call('POST', '', {
      realm: name,
      enabled: true,
      ...(options.accessTokenLifespanS ? { accessTokenLifespan: options.accessTokenLifespanS } : {}),
      clients: [
        { ...confidentialClient(connector.clientId, connector.secret), serviceAccountsEnabled: true },
        confidentialClient(resourceServer.clientId, resourceServer.secret),
        {
          clientId: 'agent-login',
          enabled: true,
          publicClient: true,
          directAccessGrantsEnabled: true,
          standardFlowEnabled: false,
          serviceAccountsEnabled: false,
          protocolMappers: [audienceOf(resourceServer.clientId)],
        },
        ...agents.map((agent) => agentClient(agent.clientId, agent.secret, resourceServer.clientId)),
      ],
      users: [
        {
          username: `service-account-${connector.clientId}`,
          enabled: true,
          serviceAccountClientId: connector.clientId,
          clientRoles: { 'realm-management': [...(options.connectorRoles ?? KEYCLOAK_CONNECTOR_ROLES)] },
        },
        // Their service-account users, as an export would list them (Keycloak makes none on import).
        ...agents.map((agent) => ({ username: `service-account-${agent.clientId.toLowerCase()}`, enabled: true, serviceAccountClientId: agent.clientId })),
        // An imported user gets the realm's default roles (offline_access among them) only when named.
        ...people.map((person) => ({ ...agentUser(person.username, person.password), realmRoles: [`default-roles-${name}`] })),
      ],
    });
    try {
      const clientIds = new Map(
        ((await admin.call('GET', `/${name}/clients?max=1000`)).body as { id: string; clientId: string }[]).map((c) => [c.clientId, c.id]),
      );
      const userIds = new Map(((await admin.call('GET', `/${name}/users?max=1000`)).body as { id: string; username: string }[]).map((u) => [u.username, u.id]));
      const realm = new KeycloakTestRealm(admin, name, { id: clientIds.get(connector.clientId)!, ...connector }, resourceServer);
      for (const agent of agents) realm.clients.set(agent.clientId, { id: clientIds.get(agent.clientId)!, ...agent });
      for (const person of people) realm.users.set(person.username, { id: userIds.get(person.username.toLowerCase())!, ...person });
      return realm;
    } catch (error) {
      await admin.call('DELETE', `/${name}`, undefined, [204, 404]).catch(() => undefined);
      throw error;
    }
  }

  async remove(): Promise<void> {
    await this.admin.call('DELETE', `/${this.name}`, undefined, [204, 404]);
  }

  /**
   * An agent registered as a confidential client with a service account: it gets tokens by client_credentials. (A
   * clientId is unique in a realm regardless of case: Keycloak refuses `Agent-7` beside `agent-7` with 409.)
   */
  async addClient(clientId: string): Promise<KeycloakTestClient> {
    const clientSecret = secret();
    await this.call('POST', '/clients', agentClient(clientId, clientSecret, this.resourceServer.clientId));
    const client = { id: (await this.client(clientId)).id as string, clientId, secret: clientSecret };
    this.clients.set(clientId, client);
    return client;
  }

  /** An agent registered as a user, with a password and a complete profile (so that it can log in at once). */
  async addUser(username: string): Promise<KeycloakTestUser> {
    const password = secret();
    await this.call('POST', '/users', agentUser(username, password));
    const user = { id: (await this.user(username)).id as string, username, password };
    this.users.set(username, user);
    return user;
  }

  /** An admin API call under /admin/realms/{this realm}. */
  call(method: string, path: string, body?: unknown, expected?: number[]): Promise<KeycloakAnswer> {
    return this.admin.call(method, `/${this.name}${path}`, body, expected);
  }

  /** The client's full representation, found by its exact clientId. */
  async client(clientId: string): Promise<Record<string, any>> {
    const found = (await this.call('GET', `/clients?${new URLSearchParams({ clientId })}`)).body as Record<string, any>[];
    const match = found.find((c) => c['clientId'] === clientId);
    if (!match) throw new Error(`no client ${clientId} in realm ${this.name}`);
    return (await this.call('GET', `/clients/${match['id']}`)).body;
  }

  /** The user's full representation, found by its exact username. */
  async user(username: string): Promise<Record<string, any>> {
    const found = (await this.call('GET', `/users?${new URLSearchParams({ username, exact: 'true' })}`)).body as Record<string, any>[];
    const match = found.find((u) => u['username'] === username.toLowerCase());
    if (!match) throw new Error(`no user ${username} in realm ${this.name}`);
    return (await this.call('GET', `/users/${match['id']}`)).body;
  }

  async userSessions(userId: string): Promise<Record<string, any>[]> {
    return (await this.call('GET', `/users/${userId}/sessions`)).body;
  }

  async serviceAccountUser(clientId: string): Promise<Record<string, any>> {
    const client = this.clients.get(clientId) ?? { id: (await this.client(clientId)).id };
    return (await this.call('GET', `/clients/${client.id}/service-account-user`)).body;
  }

  /** A client_credentials token of a client agent; throws unless Keycloak issues one. */
  async clientCredentialsToken(client: { clientId: string; secret: string }): Promise<string> {
    const answer = await this.tryClientCredentials(client);
    if (answer.status !== 200) throw new Error(`keycloak refused a token to ${client.clientId}: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body.access_token;
  }

  /** The token endpoint's answer to client_credentials (200 with a token, or 400/401 with an error). */
  tryClientCredentials(client: { clientId: string; secret: string }): Promise<KeycloakAnswer> {
    return postForm(this.tokenEndpoint, { grant_type: 'client_credentials' }, client);
  }

  /** A user agent's login (password grant of `agent-login`): a user session, an access and a refresh token. */
  async passwordLogin(user: { username: string; password: string }): Promise<TokenAnswer> {
    const answer = await this.tryPasswordLogin(user);
    if (answer.status !== 200) throw new Error(`keycloak refused ${user.username}'s login: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  /** The password grant's answer; `scope` 'openid offline_access' asks for an offline token as well. */
  tryPasswordLogin(user: { username: string; password: string; scope?: string }): Promise<KeycloakAnswer> {
    return postForm(this.tokenEndpoint, {
      grant_type: 'password',
      client_id: 'agent-login',
      username: user.username,
      password: user.password,
      scope: user.scope ?? 'openid',
    });
  }

  /** The refresh grant of `agent-login`'s refresh token. */
  refresh(refreshToken: string): Promise<KeycloakAnswer> {
    return postForm(this.tokenEndpoint, { grant_type: 'refresh_token', client_id: 'agent-login', refresh_token: refreshToken });
  }

  /** RFC 7662 introspection at Keycloak, as a protected API would ask it. */
  async introspect(token: string): Promise<{ active: boolean } & Record<string, unknown>> {
    const answer = await postForm(`${this.realmUrl}/protocol/openid-connect/token/introspect`, { token }, this.resourceServer);
    if (answer.status !== 200) throw new Error(`keycloak introspection: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  get realmUrl(): string {
    return `${this.baseUrl}/realms/${this.name}`;
  }

  private get tokenEndpoint(): string {
    return `${this.realmUrl}/protocol/openid-connect/token`;
  }
}

/** A confidential client with a service account (client_credentials only), whose tokens name the resource server. */
function agentClient(clientId: string, clientSecret: string, audience: string): Record<string, unknown> {
  return { ...confidentialClient(clientId, clientSecret), serviceAccountsEnabled: true, protocolMappers: [audienceOf(audience)] };
}

/** A user with a password and a complete profile, so that it can log in at once. */
function agentUser(username: string, password: string): Record<string, unknown> {
  return {
    username,
    enabled: true,
    email: `${username.toLowerCase()}@agents.example`,
    emailVerified: true,
    firstName: 'Agent',
    lastName: username,
    credentials: [{ type: 'password', value: password, temporary: false }],
  };
}

function confidentialClient(clientId: string, clientSecret: string): Record<string, unknown> {
  return {
    clientId,
    enabled: true,
    publicClient: false,
    clientAuthenticatorType: 'client-secret',
    secret: clientSecret,
    standardFlowEnabled: false,
    directAccessGrantsEnabled: false,
    serviceAccountsEnabled: false,
  };
}

/**
 * The agents' tokens name the API they are for (`aud`): Keycloak 26 answers an introspection only to a client in
 * the token's audience, as it would for a real protected API.
 */
function audienceOf(clientId: string): Record<string, unknown> {
  return {
    name: `audience ${clientId}`,
    protocol: 'openid-connect',
    protocolMapper: 'oidc-audience-mapper',
    config: { 'included.client.audience': clientId, 'access.token.claim': 'true', 'introspection.token.claim': 'true' },
  };
}

function secret(): string {
  return randomBytes(18).toString('base64url');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

async function postForm(url: string, form: Record<string, string>, basic?: { clientId: string; secret: string }): Promise<KeycloakAnswer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
      ...(basic
        ? { authorization: `Basic ${Buffer.from(`${encodeURIComponent(basic.clientId)}:${encodeURIComponent(basic.secret)}`).toString('base64')}` }
        : {}),
    },
    body: new URLSearchParams(form).toString(),
    signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
  });
  const text = await response.text();
  return { status: response.status, body: text ? parseJson(text) : undefined };
}

/** A name for a test's own realm, with its creation time, so that a crashed run's realm is recognised and removed later. */
export function testRealmName(): string {
  return `${REALM_PREFIX}${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/** Test realms left by runs that crashed before their clean-up: named with their creation time, removed after two hours. */
export async function removeStaleTestRealms(admin: KeycloakAdmin): Promise<void> {
  const realms = (await admin.call('GET', '?briefRepresentation=true')).body as { realm: string }[];
  for (const { realm } of realms) {
    if (!realm.startsWith(REALM_PREFIX)) continue;
    const created = parseInt(realm.slice(REALM_PREFIX.length).split('-')[0] ?? '', 36);
    if (Number.isFinite(created) && Date.now() - created > REALM_MAX_AGE_MS) await admin.call('DELETE', `/${realm}`, undefined, [204, 404]);
  }
}
