import { Answer, ReceivedRequest } from '@agentgov/service-testing';

export interface FakeKeycloakClient {
  id: string;
  clientId: string;
  secret?: string;
  serviceAccountUserId?: string;
}

export interface FakeKeycloakUser {
  id: string;
  username: string;
}

export interface FakeKeycloakState {
  realm: string;
  adminClientId: string;
  adminClientSecret: string;
  clients: FakeKeycloakClient[];
  users: FakeKeycloakUser[];
  /** Lifetime of the admin tokens it issues. */
  tokenLifetimeSeconds: number;
  /** Every admin token it issued, in order; `revoked` ones are refused with 401. */
  issuedTokens: string[];
  revokedTokens: Set<string>;
  /** Client updates received, by client id. */
  updates: Map<string, Record<string, unknown>>;
  loggedOutUserIds: string[];
  /** Answers before the routes below, for fault injection. */
  override?: (request: ReceivedRequest) => Answer | 'hang' | undefined;
}

export function fakeKeycloakState(partial: Partial<FakeKeycloakState> = {}): FakeKeycloakState {
  return {
    realm: 'agents',
    adminClientId: 'agentgov-admin',
    adminClientSecret: 'kc-admin-secret-7e6d5c4b3a29',
    clients: [],
    users: [],
    tokenLifetimeSeconds: 300,
    issuedTokens: [],
    revokedTokens: new Set(),
    updates: new Map(),
    loggedOutUserIds: [],
    ...partial,
  };
}

/**
 * The part of Keycloak's token endpoint and admin REST API the connector uses, with Keycloak's answers:
 * clients?clientId= and users?username= as queries returning arrays, 204 on update and logout, 400 for the
 * service-account user of a client without service accounts, 404 for an unknown id.
 */
export function fakeKeycloak(state: FakeKeycloakState): (request: ReceivedRequest) => Answer {
  return (request) => {
    const overridden = state.override?.(request);
    if (overridden) return overridden;
    const url = new URL(request.path, 'http://keycloak');
    const path = url.pathname;
    if (request.method === 'POST' && path === `/realms/${state.realm}/protocol/openid-connect/token`) return issueToken(state, request);

    const adminPrefix = `/admin/realms/${state.realm}/`;
    if (!path.startsWith(adminPrefix)) return { status: 404 };
    const token = String(request.headers.authorization ?? '').replace(/^Bearer /, '');
    if (!state.issuedTokens.includes(token) || state.revokedTokens.has(token)) return { status: 401, body: { error: 'HTTP 401 Unauthorized' } };
    const route = `${request.method} ${path.slice(adminPrefix.length)}`;

    if (route === 'GET clients') {
      // Prefix matching, so that the connector has to pick the exact match itself.
      const wanted = url.searchParams.get('clientId') ?? '';
      return { status: 200, body: state.clients.filter((c) => c.clientId.startsWith(wanted)).map(({ id, clientId }) => ({ id, clientId })) };
    }
    if (route === 'GET users') {
      const wanted = (url.searchParams.get('username') ?? '').toLowerCase();
      const exact = url.searchParams.get('exact') === 'true';
      return { status: 200, body: state.users.filter((u) => (exact ? u.username === wanted : u.username.includes(wanted))) };
    }
    let match = /^(GET|PUT) clients\/([^/]+)$/.exec(route);
    if (match) {
      const clientId = captured(match, 2);
      const client = state.clients.find((c) => c.id === clientId);
      if (!client) return { status: 404, body: { error: 'Could not find client' } };
      if (match[1] === 'GET') return { status: 200, body: { id: client.id, clientId: client.clientId, secret: client.secret, enabled: true, notBefore: 0 } };
      state.updates.set(client.id, JSON.parse(request.body) as Record<string, unknown>);
      return { status: 204 };
    }
    match = /^GET clients\/([^/]+)\/service-account-user$/.exec(route);
    if (match) {
      const clientId = captured(match, 1);
      const client = state.clients.find((c) => c.id === clientId);
      if (!client) return { status: 404 };
      if (!client.serviceAccountUserId) return { status: 400, body: { error: 'Service account not enabled for the client' } };
      return { status: 200, body: { id: client.serviceAccountUserId, username: `service-account-${client.clientId}` } };
    }
    match = /^PUT users\/([^/]+)$/.exec(route);
    if (match) {
      const userId = captured(match, 1);
      if (!state.users.some((u) => u.id === userId)) return { status: 404, body: { error: 'User not found' } };
      state.updates.set(userId, JSON.parse(request.body) as Record<string, unknown>);
      return { status: 204 };
    }
    match = /^POST users\/([^/]+)\/logout$/.exec(route);
    if (match) {
      const userId = captured(match, 1);
      const known = state.users.some((u) => u.id === userId) || state.clients.some((c) => c.serviceAccountUserId === userId);
      if (!known) return { status: 404, body: { error: 'User not found' } };
      state.loggedOutUserIds.push(userId);
      return { status: 204 };
    }
    return { status: 404 };
  };
}

function issueToken(state: FakeKeycloakState, request: ReceivedRequest): Answer {
  const expected = `Basic ${Buffer.from(`${state.adminClientId}:${state.adminClientSecret}`).toString('base64')}`;
  if (request.headers.authorization !== expected || request.body !== 'grant_type=client_credentials') {
    return { status: 401, body: { error: 'unauthorized_client', error_description: 'Invalid client or Invalid client credentials' } };
  }
  const token = `kc-admin-token-${state.issuedTokens.length + 1}-0a1b2c3d4e5f`;
  state.issuedTokens.push(token);
  return { status: 200, body: { access_token: token, expires_in: state.tokenLifetimeSeconds, token_type: 'Bearer' } };
}

function captured(match: RegExpExecArray, group: number): string {
  return decodeURIComponent(match[group] ?? '');
}
