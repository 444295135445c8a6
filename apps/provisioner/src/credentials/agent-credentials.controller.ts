import { Body, Controller, Header, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';

import { CurrentPrincipal, Principal, Roles } from '@agentgov/auth';
import { createRequestValidator } from '@agentgov/service-runtime';

import { agentView } from '../agents/agent-record';
import { apiCause } from '../common/cause';
import { RevokeAgentTokensUseCase } from './revoke-agent-tokens.usecase';
import { RevokeSigningKeyUseCase } from './revoke-signing-key.usecase';
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
    private readonly revokeKey: RevokeSigningKeyUseCase,
  ) {}

  /** Every token issued to the agent so far becomes inactive at once; new tokens can be issued afterwards. */
  @Post('agents/:id/revoke-tokens')
  @Roles('admin', 'soc-analyst', 'revoke-tokens')
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

  /**
   * Emergency revocation of a compromised signing key: every token it signed is inactive at once (a rotation keeps
   * them valid until they expire); the active key is replaced first. Reason required.
   */
  @Post('oauth2/keys/:kid/revoke')
  @Roles('admin')
  @HttpCode(200)
  revokeSigningKey(@Param('kid') kid: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    return this.revokeKey.execute(validateKid(kid), validateRevocation(body).reason, apiCause(principal.subject));
  }
}

const validateKid = createRequestValidator<string>({ type: 'string', pattern: '^[A-Za-z0-9_-]{1,128}$' }, 'kid');
const validateRevocation = createRequestValidator<{ reason: string }>(
  {
    type: 'object',
    additionalProperties: false,
    required: ['reason'],
    properties: { reason: { type: 'string', minLength: 1, maxLength: 1000, pattern: '\\S' } },
  },
  'request body',
);
