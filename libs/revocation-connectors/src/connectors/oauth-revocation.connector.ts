import { OAuthRevocationConfig } from '../config/connector-config';
import { basicAuthorization, formBody } from '../http/form-encoding';
import { isSuccess, unexpectedResponse } from '../http/response-outcome';
import { ConnectorOutcome, RevocationConnector, RevocationRequest } from '../revocation-connector';
import { ConnectorRuntime } from './connector-runtime';
import { runToOutcome } from './connector-stop';

export const NO_TOKENS_ON_RECORD = 'no tokens on record';

/**
 * RFC 7009 token revocation, one request per token the agent is known to hold. A 200 (any 2xx is read the
 * same) means the token is dead, including when the server did not know it (RFC 7009 §2.2). Revocation is idempotent, so a retry
 * after a partial run safely sends the already revoked tokens again.
 */
export class OAuthRevocationConnector implements RevocationConnector {
  readonly type = 'oauth-revocation';

  constructor(
    private readonly config: OAuthRevocationConfig,
    private readonly runtime: ConnectorRuntime,
  ) {}

  get name(): string {
    return this.config.name;
  }

  revoke(request: RevocationRequest, signal?: AbortSignal): Promise<ConnectorOutcome> {
    return runToOutcome(async () => {
      const tokens = request.tokens ?? [];
      if (tokens.length === 0) return { status: 'confirmed', detail: NO_TOKENS_ON_RECORD };
      const { clientId, clientSecret } = this.config;
      const secrets = [clientSecret, basicAuthorization(clientId, clientSecret).slice('Basic '.length), ...tokens.map((t) => t.token)];
      for (const [index, { token, tokenTypeHint }] of tokens.entries()) {
        const what = `revocation endpoint, token ${index + 1} of ${tokens.length}`;
        const result = await this.runtime.http.send(this.revocationRequest(token, tokenTypeHint), signal);
        if (!result.answered) return { status: 'retry', reason: `${what}: ${result.reason}` };
        if (!isSuccess(result.status)) return unexpectedResponse(what, result, secrets, this.runtime.now());
      }
      return { status: 'confirmed', detail: `revoked ${tokens.length} token${tokens.length === 1 ? '' : 's'}` };
    });
  }

  private revocationRequest(token: string, tokenTypeHint: string | undefined) {
    const { clientId, clientSecret, authMethod, revocationEndpoint } = this.config;
    const basic = authMethod === 'client_secret_basic';
    return {
      method: 'POST' as const,
      url: revocationEndpoint,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        ...(basic ? { authorization: basicAuthorization(clientId, clientSecret) } : {}),
      },
      body: formBody({
        token,
        token_type_hint: tokenTypeHint,
        ...(basic ? {} : { client_id: clientId, client_secret: clientSecret }),
      }),
    };
  }
}
