import { BuiltinIssuerConfig } from '../config/connector-config';
import { isSuccess, unexpectedResponse } from '../http/response-outcome';
import { joinUrl, pathSegment } from '../http/url';
import { ConnectorOutcome, RevocationConnector, RevocationRequest } from '../revocation-connector';
import { ConnectorRuntime } from './connector-runtime';
import { runToOutcome } from './connector-stop';

export const NOT_REGISTERED_AT_ISSUER = 'agent not registered at the issuer; nothing to revoke';

/**
 * AgentGov's own issuer: one call sets the agent's "not before", so every token issued so far is dead.
 * Called for 'release' too, so that the released agent starts again from fresh credentials only.
 */
export class BuiltinIssuerConnector implements RevocationConnector {
  readonly type = 'builtin-issuer';

  constructor(
    private readonly config: BuiltinIssuerConfig,
    private readonly runtime: ConnectorRuntime,
  ) {}

  get name(): string {
    return this.config.name;
  }

  revoke(request: RevocationRequest, signal?: AbortSignal): Promise<ConnectorOutcome> {
    return runToOutcome(async () => {
      const result = await this.runtime.http.send(
        {
          method: 'POST',
          url: joinUrl(this.config.baseUrl, 'agents', pathSegment(request.agentId), 'revoke-tokens'),
          headers: { authorization: `Bearer ${this.config.bearerToken}`, accept: 'application/json' },
        },
        signal,
      );
      if (!result.answered) return { status: 'retry', reason: `issuer: ${result.reason}` };
      if (isSuccess(result.status)) return { status: 'confirmed', detail: 'all tokens issued so far are inactive' };
      // 404: an agent the issuer never registered (a shadow agent); 400: an id that is not even a uuid.
      if (result.status === 404 || result.status === 400) return { status: 'confirmed', detail: NOT_REGISTERED_AT_ISSUER };
      return unexpectedResponse('issuer', result, [this.config.bearerToken], this.runtime.now());
    });
  }
}
