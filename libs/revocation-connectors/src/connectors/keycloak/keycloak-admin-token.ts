import { KeycloakConfig } from '../../config/connector-config';
import { basicAuthorization, formBody } from '../../http/form-encoding';
import { asRecord, parseJsonBody } from '../../http/json';
import { unexpectedResponse } from '../../http/response-outcome';
import { joinUrl, pathSegment } from '../../http/url';
import { ConnectorRuntime } from '../connector-runtime';
import { ConnectorStop } from '../connector-stop';

const REFRESH_MARGIN_MS = 30_000;
const LIFETIME_WHEN_UNSTATED_S = 60;

/** An admin access token from the client credentials grant, cached until 30 s before it expires. */
export class KeycloakAdminToken {
  private cached?: { value: string; refreshAt: number };
  private pending?: Promise<string>;

  constructor(
    private readonly config: KeycloakConfig,
    private readonly runtime: ConnectorRuntime,
  ) {}

  /** Throws ConnectorStop when no token can be had. */
  get(): Promise<string> {
    if (this.cached && this.runtime.now().getTime() < this.cached.refreshAt) return Promise.resolve(this.cached.value);
    // Concurrent revocations share one token request. It ignores their abort signals (one caller giving up
    // must not fail the others) and is bounded by the connector's timeout alone.
    this.pending ??= this.requestToken().finally(() => (this.pending = undefined));
    return this.pending;
  }

  /** Forgets `token` after the admin API refused it, so that the next `get()` asks for a new one. */
  invalidate(token: string): void {
    if (this.cached?.value === token) this.cached = undefined;
  }

  private async requestToken(): Promise<string> {
    const { baseUrl, realm, clientId, clientSecret } = this.config;
    const what = 'keycloak token endpoint';
    const requestedAt = this.runtime.now().getTime();
    const result = await this.runtime.http.send({
      method: 'POST',
      url: joinUrl(baseUrl, 'realms', pathSegment(realm), 'protocol', 'openid-connect', 'token'),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        authorization: basicAuthorization(clientId, clientSecret),
      },
      body: formBody({ grant_type: 'client_credentials' }),
    });
    if (!result.answered) throw new ConnectorStop({ status: 'retry', reason: `${what}: ${result.reason}` });
    if (result.status !== 200) throw new ConnectorStop(unexpectedResponse(what, result, [clientSecret], this.runtime.now()));

    const answer = asRecord(parseJsonBody(result.body));
    const token = answer?.['access_token'];
    if (typeof token !== 'string' || token === '') {
      throw new ConnectorStop({ status: 'failed', reason: `${what}: answer without an access_token` });
    }
    const expiresIn = typeof answer?.['expires_in'] === 'number' ? answer['expires_in'] : LIFETIME_WHEN_UNSTATED_S;
    this.cached = { value: token, refreshAt: requestedAt + expiresIn * 1000 - REFRESH_MARGIN_MS };
    return token;
  }
}
