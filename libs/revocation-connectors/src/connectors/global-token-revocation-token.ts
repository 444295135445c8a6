import { GlobalTokenRevocationConfig } from '../config/connector-config';
import { basicAuthorization, formBody } from '../http/form-encoding';
import { asRecord, parseJsonBody } from '../http/json';
import { unexpectedResponse } from '../http/response-outcome';
import { ConnectorRuntime } from './connector-runtime';
import { ConnectorStop } from './connector-stop';

const REFRESH_MARGIN_MS = 30_000;
const LIFETIME_WHEN_UNSTATED_S = 60;

type ClientCredentials = NonNullable<GlobalTokenRevocationConfig['clientCredentials']>;

/**
 * The bearer token a Global Token Revocation request carries: the configured one, or one obtained by the client
 * credentials grant (RFC 6749 §4.4), cached until 30 s before it expires and renewed after the endpoint refused it.
 */
export class GlobalTokenRevocationToken {
  private cached?: { value: string; refreshAt: number };
  private pending?: Promise<string>;

  constructor(
    private readonly config: GlobalTokenRevocationConfig,
    private readonly runtime: ConnectorRuntime,
  ) {}

  /** Whether a refused token can be replaced by asking again (a configured one cannot). */
  get renewable(): boolean {
    return this.config.clientCredentials !== undefined;
  }

  /** The secrets a receipt's reason must never contain. */
  secrets(): string[] {
    const { bearerToken, clientCredentials } = this.config;
    return [
      ...(bearerToken ? [bearerToken] : []),
      ...(clientCredentials
        ? [clientCredentials.clientSecret, basicAuthorization(clientCredentials.clientId, clientCredentials.clientSecret).slice('Basic '.length)]
        : []),
      ...(this.cached ? [this.cached.value] : []),
    ];
  }

  /** Throws ConnectorStop when no token can be had. */
  get(): Promise<string> {
    const { bearerToken, clientCredentials } = this.config;
    if (bearerToken !== undefined || !clientCredentials) return Promise.resolve(bearerToken ?? '');
    if (this.cached && this.runtime.now().getTime() < this.cached.refreshAt) return Promise.resolve(this.cached.value);
    // Concurrent revocations share one token request, bounded by the connector's timeout alone (one caller giving
    // up must not fail the others).
    this.pending ??= this.requestToken(clientCredentials).finally(() => (this.pending = undefined));
    return this.pending;
  }

  /** Forgets `token` after the endpoint refused it, so that the next `get()` asks for a new one. */
  invalidate(token: string): void {
    if (this.cached?.value === token) this.cached = undefined;
  }

  private async requestToken(client: ClientCredentials): Promise<string> {
    const what = 'token endpoint';
    const basic = client.authMethod === 'client_secret_basic';
    const requestedAt = this.runtime.now().getTime();
    const result = await this.runtime.http.send({
      method: 'POST',
      url: client.tokenEndpoint,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        ...(basic ? { authorization: basicAuthorization(client.clientId, client.clientSecret) } : {}),
      },
      body: formBody({
        grant_type: 'client_credentials',
        scope: client.scope,
        ...(basic ? {} : { client_id: client.clientId, client_secret: client.clientSecret }),
      }),
    });
    if (!result.answered) throw new ConnectorStop({ status: 'retry', reason: `${what}: ${result.reason}` });
    if (result.status !== 200) throw new ConnectorStop(unexpectedResponse(what, result, this.secrets(), this.runtime.now()));
    const answer = asRecord(parseJsonBody(result.body));
    const token = answer?.['access_token'];
    if (typeof token !== 'string' || token === '') throw new ConnectorStop({ status: 'failed', reason: `${what}: answer without an access_token` });
    const expiresIn = typeof answer?.['expires_in'] === 'number' ? answer['expires_in'] : LIFETIME_WHEN_UNSTATED_S;
    this.cached = { value: token, refreshAt: requestedAt + expiresIn * 1000 - REFRESH_MARGIN_MS };
    return token;
  }
}
