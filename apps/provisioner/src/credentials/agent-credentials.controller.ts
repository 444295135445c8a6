import { Controller, Header, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';

import { CurrentPrincipal, Principal, Roles } from '@agentgov/auth';

import { agentView } from '../agents/agent-record';
import { apiCause } from '../common/cause';
import { RevokeAgentTokensUseCase } from './revoke-agent-tokens.usecase';
import { RotateClientSecretUseCase } from './rotate-client-secret.usecase';
import { RotateSigningKeyUseCase } from './rotate-signing-key.usecase';

@ApiTags('credentials')
@ApiBearerAuth()
@Controller()
export class AgentCredentialsController {
  constructor(
    private readonly revokeAll: RevokeAgentTokensUseCase,
    private readonly rotateSecret: RotateClientSecretUseCase,
    private readonly rotateKey: RotateSigningKeyUseCase,
  ) {}

  /** Every token issued to the agent so far becomes inactive at once; new tokens can be issued afterwards. */
  @Post('agents/:id/revoke-tokens')
  @Roles('admin', 'soc-analyst', 'ingest')
  @HttpCode(200)
  async revokeTokens(@Param('id', ParseUUIDPipe) id: string, @CurrentPrincipal() principal: Principal) {
    const agent = await this.revokeAll.execute(id, apiCause(principal.subject));
    return { agent: agentView(agent), tokensNotBefore: agent.tokensNotBefore?.toISOString() ?? null };
  }

  /** A new client secret, in this answer only. */
  @Post('agents/:id/rotate-secret')
  @Roles('admin')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  rotateClientSecret(@Param('id', ParseUUIDPipe) id: string, @CurrentPrincipal() principal: Principal) {
    return this.rotateSecret.execute(id, apiCause(principal.subject));
  }

  /** A new signing key; the previous one stays in the JWKS until its last token has expired. */
  @Post('oauth2/keys/rotate')
  @Roles('admin')
  @HttpCode(200)
  rotateSigningKey(@CurrentPrincipal() principal: Principal) {
    return this.rotateKey.execute(apiCause(principal.subject));
  }
}
