import { isUuid } from '@agentgov/contracts';

import { BuiltinIssuerConfig } from '../config/connector-config';
import { asRecord, parseJsonBody } from '../http/json';
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
      // The issuer names agents by uuid: any other id (a shadow agent's) was never registered there.
      if (!isUuid(request.agentId)) return { status: 'confirmed', detail: NOT_REGISTERED_AT_ISSUER };
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
      // Only the issuer's own "no such agent" counts as nothing to revoke: a 404 from a wrong baseUrl or an
      // ingress must fail loudly, not confirm a revocation that never happened.
      if (result.status === 404 && problemCode(result.body) === 'AGENT_NOT_FOUND') return { status: 'confirmed', detail: NOT_REGISTERED_AT_ISSUER };
      return unexpectedResponse('issuer', result, [this.config.bearerToken], this.runtime.now());
    });
  }
}

function problemCode(body: string): unknown {
  return asRecord(parseJsonBody(body))?.['code'];
}
