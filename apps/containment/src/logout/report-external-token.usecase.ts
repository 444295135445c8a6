import { Injectable } from '@nestjs/common';

import { ConnectorRegistry } from '../connectors/connector-registry';
import { ExternalTokensRepository, TokenTypeHint } from './external-tokens.repository';
import { LogoutError, LogoutErrorCode } from './logout.errors';

export interface ExternalTokenReport {
  agentId: string;
  /** An oauth-revocation connector of this deployment. */
  connector: string;
  token: string;
  tokenTypeHint?: TokenTypeHint;
  expiresAt?: Date;
}

/**
 * Records a token an agent obtained from another authorization server, so that universal logout can revoke it
 * there (RFC 7009 revokes tokens by value). Idempotent; the token is kept sealed and only its hash is returned.
 */
@Injectable()
export class ReportExternalTokenUseCase {
  constructor(
    private readonly connectors: ConnectorRegistry,
    private readonly tokens: ExternalTokensRepository,
  ) {}

  async execute(report: ExternalTokenReport): Promise<{ tokenHash: string; recorded: boolean }> {
    if (this.connectors.get(report.connector)?.type !== 'oauth-revocation') {
      throw new LogoutError(LogoutErrorCode.UnknownConnector, `connector ${report.connector} is not an oauth-revocation connector of this deployment`);
    }
    return this.tokens.record(report.agentId, report.connector, report.token, report.tokenTypeHint, report.expiresAt);
  }
}
