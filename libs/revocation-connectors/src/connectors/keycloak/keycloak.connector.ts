import { KeycloakConfig } from '../../config/connector-config';
import { HttpResponse } from '../../http/http-client';
import { asRecord, parseJsonBody } from '../../http/json';
import { isSuccess, unexpectedResponse } from '../../http/response-outcome';
import { joinUrl, pathSegment } from '../../http/url';
import { ConnectorOutcome, RevocationConnector, RevocationRequest } from '../../revocation-connector';
import { ConnectorRuntime } from '../connector-runtime';
import { ConnectorStop, runToOutcome } from '../connector-stop';
import { KeycloakAdminToken } from './keycloak-admin-token';

export const NO_MATCHING_CLIENT_OR_USER = 'no matching client or user in realm';

type AdminMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** How Keycloak names an offline token among the grants of a user's consent to a client. */
const OFFLINE_TOKEN_GRANT = 'Offline Token';

/** The clients every Keycloak realm is made with: disabling one would break the realm (or its admin API) for everyone. */
const BUILT_IN_CLIENTS = new Set(['account', 'account-console', 'admin-cli', 'broker', 'realm-management', 'security-admin-console']);

interface FoundClient {
  id: string;
  /**
   * Its service account can hold a user session: only when the client keeps refresh tokens for the client
   * credentials grant (`client_credentials.use_refresh_token`, off by default); a plain client_credentials token has
   * none. Otherwise a containment skips the two lookups that would find none, and its receipt comes sooner.
   */
  serviceAccountSessions: boolean;
}

/**
 * Keycloak through its admin REST API, with a service account's token kept warm (KeycloakAdminToken). An agent is a
 * client whose clientId is the agent id, or else a user whose username is.
 *
 * - A client is disabled (Keycloak refuses it new tokens and answers "inactive" for the ones it holds) and its
 *   `notBefore` moved past now (those tokens stay inactive after a release). A client_credentials token has no user
 *   session in Keycloak 26: the service-account user's sessions are ended only when it has some (a client that
 *   asked for refresh tokens with client credentials).
 * - A user is disabled and logged out: Keycloak ends its sessions and moves its own `notBefore` to the current second
 *   (a token issued in that second would survive it). Its offline tokens outlive a logout, so they are revoked too.
 * - A release enables the client or user again; its earlier tokens stay inactive.
 *
 * Every receipt says what was done at Keycloak, and nothing else.
 */
export class KeycloakConnector implements RevocationConnector {
  readonly type = 'keycloak';
  private readonly adminToken: KeycloakAdminToken;
  /** Once the connector has seen its own client through the client lookup, an empty answer means "no such client". */
  private clientsVisible = false;

  constructor(
    private readonly config: KeycloakConfig,
    private readonly runtime: ConnectorRuntime,
  ) {
    this.adminToken = new KeycloakAdminToken(config, runtime);
    // The first containment must not wait for the token endpoint: the token is fetched now and kept fresh.
    this.adminToken.start();
  }

  get name(): string {
    return this.config.name;
  }

  /** Stops renewing the admin token (its timer never keeps the process alive anyway). */
  close(): void {
    this.adminToken.stop();
  }

  /** Whether the admin token is in hand: a revocation now would not wait for the token endpoint. */
  hasAdminToken(): boolean {
    return this.adminToken.ready;
  }

  revoke(request: RevocationRequest, signal?: AbortSignal): Promise<ConnectorOutcome> {
    return runToOutcome(async () => {
      const { agentIdentity } = this.config;
      const release = request.kind === 'release';
      if (agentIdentity !== 'user') {
        if (BUILT_IN_CLIENTS.has(request.agentId) || request.agentId === this.config.clientId) {
          // An agent id is a uuid, or whatever a shadow agent's activity carried: never Keycloak's own clients.
          return { status: 'failed', reason: `keycloak: ${request.agentId} is a client of Keycloak's own or the connector's; not disabled` };
        }
        const client = await this.findClient(request.agentId, signal);
        if (client) return release ? this.enableClient(client, signal) : this.revokeClient(client, signal);
        await this.checkClientsVisible(signal);
      }
      if (agentIdentity !== 'client') {
        const userId = await this.findUser(request.agentId, signal);
        if (userId) return release ? this.enableUser(userId, signal) : this.revokeUser(userId, signal);
      }
      return { status: 'confirmed', detail: NO_MATCHING_CLIENT_OR_USER };
    });
  }

  /**
   * The client whose clientId is exactly the agent id. Keycloak matches `clientId` exactly unless `search=true`
   * (then it matches a part, case-insensitively); the answer is checked all the same.
   */
  private async findClient(agentId: string, signal?: AbortSignal): Promise<FoundClient | undefined> {
    const query = new URLSearchParams({ clientId: agentId, search: 'false' });
    const clients = await this.adminJson('GET', `clients?${query}`, 'client lookup', signal);
    const match = asArray(clients).find((client) => client['clientId'] === agentId);
    if (typeof match?.['id'] !== 'string') return undefined;
    const attributes = (match['attributes'] ?? {}) as Record<string, unknown>;
    return {
      id: match['id'],
      serviceAccountSessions: match['serviceAccountsEnabled'] === true && attributes['client_credentials.use_refresh_token'] === 'true',
    };
  }

  /**
   * Keycloak answers a client lookup with an empty list, not 403, when the service account may query clients but not
   * view them: before "no such client" is believed, the connector's own client must be found the same way.
   */
  private async checkClientsVisible(signal?: AbortSignal): Promise<void> {
    if (this.clientsVisible) return;
    if (!(await this.findClient(this.config.clientId, signal))) {
      throw new ConnectorStop({
        status: 'failed',
        reason: `keycloak client lookup: the connector's own client ${this.config.clientId} is not visible to it (its service account needs the realm-management role manage-clients)`,
      });
    }
    this.clientsVisible = true;
  }

  private async revokeClient(client: FoundClient, signal?: AbortSignal): Promise<ConnectorOutcome> {
    const clientPath = `clients/${pathSegment(client.id)}`;
    // Keycloak rejects a token issued before notBefore (iat < notBefore, in whole seconds): the next second covers
    // every token issued up to now, this second's too.
    const notBefore = Math.floor(this.runtime.now().getTime() / 1000) + 1;
    // Only these two fields: Keycloak leaves the absent ones as they are, so the client's secret is never read or
    // sent, and nothing else of it changes.
    await this.admin('PUT', clientPath, 'client update', signal, { enabled: false, notBefore });
    let detail = `client disabled, notBefore set to ${new Date(notBefore * 1000).toISOString()}: earlier tokens inactive`;

    if (client.serviceAccountSessions) {
      const serviceAccountUserId = await this.findServiceAccountUser(clientPath, signal);
      if (serviceAccountUserId) {
        const ended = await this.logoutIfInSession(serviceAccountUserId, signal);
        if (ended > 0) detail += `, ${sessions(ended)} of its service account ended`;
      }
    }
    return { status: 'confirmed', detail };
  }

  /** A release: the client may ask for tokens again (those from before stay inactive by their notBefore). */
  private async enableClient(client: FoundClient, signal?: AbortSignal): Promise<ConnectorOutcome> {
    await this.admin('PUT', `clients/${pathSegment(client.id)}`, 'client update', signal, { enabled: true });
    return { status: 'confirmed', detail: 'client enabled again' };
  }

  private async findServiceAccountUser(clientPath: string, signal?: AbortSignal): Promise<string | undefined> {
    // 400 or 404: service accounts are not (or no longer) enabled for this client.
    const response = await this.admin('GET', `${clientPath}/service-account-user`, 'service-account lookup', signal, undefined, [400, 404]);
    if (!isSuccess(response.status)) return undefined;
    const user = asRecord(parseJsonBody(response.body));
    return typeof user?.['id'] === 'string' ? user['id'] : undefined;
  }

  /** The id of the user whose username is the agent id (Keycloak stores usernames in lower case). */
  private async findUser(agentId: string, signal?: AbortSignal): Promise<string | undefined> {
    const query = new URLSearchParams({ username: agentId, exact: 'true' });
    const users = await this.adminJson('GET', `users?${query}`, 'user lookup', signal);
    const wanted = agentId.toLowerCase();
    const match = asArray(users).find((user) => typeof user['username'] === 'string' && user['username'].toLowerCase() === wanted);
    return typeof match?.['id'] === 'string' ? match['id'] : undefined;
  }

  private async revokeUser(userId: string, signal?: AbortSignal): Promise<ConnectorOutcome> {
    // Disabled first, so that no session starts between the count and the logout.
    await this.admin('PUT', `users/${pathSegment(userId)}`, 'user update', signal, { enabled: false });
    const count = await this.sessionCount(userId, signal);
    await this.logout(userId, signal);
    const offline = await this.revokeOfflineTokens(userId, signal);
    const revoked = offline.length === 0 ? '' : `, offline tokens revoked at ${offline.length === 1 ? '1 client' : `${offline.length} clients`}`;
    return { status: 'confirmed', detail: `user disabled, logged out (${sessions(count ?? 0)} ended)${revoked}` };
  }

  /**
   * Offline sessions outlive a logout (only the user's notBefore, in whole seconds, refuses their tokens): the user's
   * consent to each client that holds one is revoked, and its offline tokens with it. Returns those clients.
   */
  private async revokeOfflineTokens(userId: string, signal?: AbortSignal): Promise<string[]> {
    const userPath = `users/${pathSegment(userId)}`;
    const response = await this.admin('GET', `${userPath}/consents`, 'consent lookup', signal, undefined, [404]);
    if (!isSuccess(response.status)) return [];
    const holding = asArray(parseJsonBody(response.body)).flatMap((consent) => {
      const grants = Array.isArray(consent['additionalGrants']) ? consent['additionalGrants'] : [];
      const offline = grants.some((grant: unknown) => asRecord(grant)?.['key'] === OFFLINE_TOKEN_GRANT);
      return offline && typeof consent['clientId'] === 'string' ? [consent['clientId']] : [];
    });
    for (const clientId of holding) {
      await this.admin('DELETE', `${userPath}/consents/${pathSegment(clientId)}`, 'offline token revocation', signal, undefined, [404]);
    }
    return holding;
  }

  private async enableUser(userId: string, signal?: AbortSignal): Promise<ConnectorOutcome> {
    await this.admin('PUT', `users/${pathSegment(userId)}`, 'user update', signal, { enabled: true });
    return { status: 'confirmed', detail: 'user enabled again' };
  }

  /** Logs the user out when it has sessions; returns how many it had. */
  private async logoutIfInSession(userId: string, signal?: AbortSignal): Promise<number> {
    const count = await this.sessionCount(userId, signal);
    if (!count) return 0;
    await this.logout(userId, signal);
    return count;
  }

  /** How many sessions the user has now; undefined when the user is gone. */
  private async sessionCount(userId: string, signal?: AbortSignal): Promise<number | undefined> {
    const response = await this.admin('GET', `users/${pathSegment(userId)}/sessions`, 'session lookup', signal, undefined, [404]);
    if (!isSuccess(response.status)) return undefined;
    const list = parseJsonBody(response.body);
    if (!Array.isArray(list)) throw new ConnectorStop({ status: 'failed', reason: 'keycloak session lookup: answer is not a list' });
    return list.length;
  }

  /** Ends the user's sessions; Keycloak also moves its notBefore to now. */
  private async logout(userId: string, signal?: AbortSignal): Promise<void> {
    // 404: the user is gone, and its sessions with it.
    await this.admin('POST', `users/${pathSegment(userId)}/logout`, 'user logout', signal, undefined, [404]);
  }

  private async adminJson(method: AdminMethod, path: string, what: string, signal?: AbortSignal): Promise<unknown> {
    const response = await this.admin(method, path, what, signal);
    const parsed = parseJsonBody(response.body);
    if (parsed === undefined) throw new ConnectorStop({ status: 'failed', reason: `keycloak ${what}: answer is not JSON` });
    return parsed;
  }

  /**
   * One admin API call, with the admin token renewed once if it is refused (401). Returns a 2xx response or
   * one with an `accepted` status; anything else ends the revocation with the matching outcome.
   */
  private async admin(method: AdminMethod, path: string, what: string, signal?: AbortSignal, body?: unknown, accepted: number[] = []): Promise<HttpResponse> {
    for (let attempt = 1; ; attempt++) {
      const token = await this.adminToken.get();
      const result = await this.runtime.http.send(
        {
          method,
          url: joinUrl(this.config.baseUrl, 'admin', 'realms', pathSegment(this.config.realm), path),
          headers: {
            authorization: `Bearer ${token}`,
            accept: 'application/json',
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        },
        signal,
      );
      if (!result.answered) throw new ConnectorStop({ status: 'retry', reason: `keycloak ${what}: ${result.reason}` });
      if (result.status === 401 && attempt === 1) {
        this.adminToken.invalidate(token);
        continue;
      }
      if (isSuccess(result.status) || accepted.includes(result.status)) return result;
      const secrets = [this.config.clientSecret, token];
      throw new ConnectorStop(unexpectedResponse(`keycloak ${what}`, result, secrets, this.runtime.now()));
    }
  }
}

function sessions(count: number): string {
  return count === 1 ? '1 session' : `${count} sessions`;
}

function asArray(value: unknown): Record<string, unknown>[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item: unknown) => {
    const record = asRecord(item);
    return record ? [record] : [];
  });
}
