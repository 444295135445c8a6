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

type AdminMethod = 'GET' | 'POST' | 'PUT';

/**
 * Keycloak through its admin REST API. An agent is a client (its tokens die by moving the client's
 * "not before" to now, and its service-account user is logged out) or else a user (logged out).
 */
export class KeycloakConnector implements RevocationConnector {
  readonly type = 'keycloak';
  private readonly adminToken: KeycloakAdminToken;

  constructor(
    private readonly config: KeycloakConfig,
    private readonly runtime: ConnectorRuntime,
  ) {
    this.adminToken = new KeycloakAdminToken(config, runtime);
  }

  get name(): string {
    return this.config.name;
  }

  revoke(request: RevocationRequest, signal?: AbortSignal): Promise<ConnectorOutcome> {
    return runToOutcome(async () => {
      const { agentIdentity } = this.config;
      const release = request.kind === 'release';
      if (agentIdentity !== 'user') {
        const clientId = await this.findClient(request.agentId, signal);
        if (clientId) return release ? this.enableClient(clientId, signal) : this.revokeClient(clientId, signal);
      }
      if (agentIdentity !== 'client') {
        const userId = await this.findUser(request.agentId, signal);
        if (userId) {
          await this.admin('PUT', `users/${pathSegment(userId)}`, 'user update', signal, { enabled: release });
          if (release) return { status: 'confirmed', detail: 'user enabled again' };
          await this.logout(userId, signal);
          return { status: 'confirmed', detail: 'user disabled and its sessions logged out' };
        }
      }
      return { status: 'confirmed', detail: NO_MATCHING_CLIENT_OR_USER };
    });
  }

  /** The internal id of the client whose clientId is exactly the agent id. */
  private async findClient(agentId: string, signal?: AbortSignal): Promise<string | undefined> {
    const query = new URLSearchParams({ clientId: agentId });
    const clients = await this.adminJson('GET', `clients?${query}`, 'client lookup', signal);
    const match = asArray(clients).find((client) => client['clientId'] === agentId);
    return typeof match?.['id'] === 'string' ? match['id'] : undefined;
  }

  private async revokeClient(id: string, signal?: AbortSignal): Promise<ConnectorOutcome> {
    const clientPath = `clients/${pathSegment(id)}`;
    const representation = asRecord(await this.adminJson('GET', clientPath, 'client read', signal));
    if (!representation) return { status: 'failed', reason: 'keycloak client read: answer is not a client representation' };
    const notBefore = Math.floor(this.runtime.now().getTime() / 1000);
    // The agent's own credentials are left out: absent fields are unchanged by the update, and this keeps
    // them off the wire.
    const { secret: _secret, registrationAccessToken: _registrationToken, ...rest } = representation;
    // Disabled, so the agent cannot simply ask for a new token; notBefore ends the ones it holds.
    await this.admin('PUT', clientPath, 'client update', signal, { ...rest, notBefore, enabled: false });

    const serviceAccountUserId = await this.findServiceAccountUser(clientPath, signal);
    if (serviceAccountUserId) await this.logout(serviceAccountUserId, signal);
    const loggedOut = serviceAccountUserId ? '; service-account user logged out' : '';
    return { status: 'confirmed', detail: `client disabled, notBefore set to ${notBefore}: earlier tokens invalid${loggedOut}` };
  }

  /** A release: the client may ask for tokens again (those from before stay invalid by their notBefore). */
  private async enableClient(id: string, signal?: AbortSignal): Promise<ConnectorOutcome> {
    const clientPath = `clients/${pathSegment(id)}`;
    const representation = asRecord(await this.adminJson('GET', clientPath, 'client read', signal));
    if (!representation) return { status: 'failed', reason: 'keycloak client read: answer is not a client representation' };
    const { secret: _secret, registrationAccessToken: _registrationToken, ...rest } = representation;
    await this.admin('PUT', clientPath, 'client update', signal, { ...rest, enabled: true });
    return { status: 'confirmed', detail: 'client enabled again' };
  }

  private async findServiceAccountUser(clientPath: string, signal?: AbortSignal): Promise<string | undefined> {
    // 400 or 404: service accounts are not enabled for this client.
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
   * One admin API call, with the admin token refreshed once if it is refused (401). Returns a 2xx response or
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

function asArray(value: unknown): Record<string, unknown>[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item: unknown) => {
    const record = asRecord(item);
    return record ? [record] : [];
  });
}
