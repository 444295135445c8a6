import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';

import { CurrentPrincipal, Principal, Public, Roles } from '@agentgov/auth';
import { createRequestValidator } from '@agentgov/service-runtime';

import { ConnectorRegistry } from '../connectors/connector-registry';
import { SsfSigningKey } from '../connectors/ssf-signing-key';
import { TokenTypeHint } from './external-tokens.repository';
import { LogoutAgentUseCase } from './logout-agent.usecase';
import { LogoutOwnerUseCase } from './logout-owner.usecase';
import { ReportExternalTokenUseCase } from './report-external-token.usecase';

const PRINTABLE = '^[\\x21-\\x7E]+$';

const validateAgentParams = createRequestValidator<{ agentId: string }>(
  {
    type: 'object',
    additionalProperties: false,
    required: ['agentId'],
    properties: { agentId: { type: 'string', minLength: 1, maxLength: 128, pattern: PRINTABLE } },
  },
  'path',
);
const validateOwnerParams = createRequestValidator<{ ownerId: string }>(
  {
    type: 'object',
    additionalProperties: false,
    required: ['ownerId'],
    properties: { ownerId: { type: 'string', minLength: 1, maxLength: 256, pattern: PRINTABLE } },
  },
  'path',
);
const validateReason = createRequestValidator<{ reason: string }>({
  type: 'object',
  additionalProperties: false,
  required: ['reason'],
  properties: { reason: { type: 'string', minLength: 1, maxLength: 1000 } },
});

interface TokenReport {
  connector: string;
  token: string;
  tokenTypeHint?: TokenTypeHint;
  expiresAt?: string;
}
const validateTokenReport = createRequestValidator<TokenReport>({
  type: 'object',
  additionalProperties: false,
  required: ['connector', 'token'],
  properties: {
    connector: { type: 'string', minLength: 1, maxLength: 64 },
    token: { type: 'string', minLength: 1, maxLength: 8192 },
    tokenTypeHint: { type: 'string', enum: ['access_token', 'refresh_token'] },
    expiresAt: { type: 'string', format: 'date-time' },
  },
});

@ApiTags('universal logout')
@ApiBearerAuth()
@Controller()
export class LogoutController {
  constructor(
    private readonly connectors: ConnectorRegistry,
    private readonly ssfKey: SsfSigningKey,
    private readonly logoutAgentUseCase: LogoutAgentUseCase,
    private readonly logoutOwnerUseCase: LogoutOwnerUseCase,
    private readonly reportExternalToken: ReportExternalTokenUseCase,
  ) {}

  /** Ends all access of one agent at every connector now (the agent is suspended; an incident records it). */
  @Post('agents/:agentId/logout')
  @Roles('admin', 'soc-analyst')
  @HttpCode(202)
  async logoutAgent(@Param() params: Record<string, unknown>, @Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    const { agentId } = validateAgentParams(params);
    const { reason } = validateReason(body);
    const incident = await this.logoutAgentUseCase.execute(agentId, { id: principal.subject, reason });
    return { incidentId: incident.id, agentId };
  }

  /** The same for every live agent of an owner. */
  @Post('owners/:ownerId/logout')
  @Roles('admin', 'soc-analyst')
  @HttpCode(202)
  async logoutOwner(@Param() params: Record<string, unknown>, @Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    const { ownerId } = validateOwnerParams(params);
    const { reason } = validateReason(body);
    const incidents = await this.logoutOwnerUseCase.execute(ownerId, { id: principal.subject, reason });
    return { ownerId, incidents: incidents.map((i) => ({ incidentId: i.id, agentId: i.agentId })) };
  }

  /**
   * An agent runtime or gateway reports a token the agent obtained from another authorization server, so that
   * universal logout can revoke it there (RFC 7009 revokes tokens by value). Stored sealed; never returned.
   */
  @Post('agents/:agentId/external-tokens')
  @Roles('admin', 'ingest')
  @HttpCode(201)
  async reportToken(@Param() params: Record<string, unknown>, @Body() body: unknown) {
    const { agentId } = validateAgentParams(params);
    const report = validateTokenReport(body);
    const { tokenHash, recorded } = await this.reportExternalToken.execute({
      agentId,
      connector: report.connector,
      token: report.token,
      tokenTypeHint: report.tokenTypeHint,
      expiresAt: report.expiresAt ? new Date(report.expiresAt) : undefined,
    });
    return { agentId, connector: report.connector, tokenSha256: tokenHash, recorded };
  }

  /** The connectors universal logout reaches (names and types only). */
  @Get('connectors')
  @Roles('admin', 'soc-analyst')
  listConnectors() {
    return { connectors: this.connectors.connectors.map((c) => ({ name: c.name, type: c.type })) };
  }

  /** Public keys that verify the Shared Signals SETs this service pushes (receivers fetch them). */
  @Get('.well-known/ssf-jwks.json')
  @Public()
  jwks() {
    return this.ssfKey.jwks();
  }
}
