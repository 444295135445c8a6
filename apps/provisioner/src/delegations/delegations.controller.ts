import { Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';

import { CurrentPrincipal, Principal, Roles } from '@agentgov/auth';

import { apiCause } from '../common/cause';
import { DelegationGrant, DelegationsRepository } from './delegations.repository';
import { DelegationsService } from './delegations.service';

function grantView(grant: DelegationGrant) {
  return { agentId: grant.agentId, delegateId: grant.delegateId, grantedBy: grant.createdBy, grantedAt: grant.createdAt.toISOString() };
}

/**
 * Which agents may act for an agent in token exchange beyond its own sub-agents (who always may): the registry's
 * explicit may_act grants.
 */
@ApiTags('delegations')
@ApiBearerAuth()
@Controller('agents/:id/delegates')
export class DelegationsController {
  constructor(
    private readonly delegations: DelegationsService,
    private readonly registry: DelegationsRepository,
  ) {}

  @ApiOperation({ summary: 'The agents explicitly granted to act for this one (its sub-agents always may, and are not listed).' })
  @Get()
  @Roles('admin', 'soc-analyst', 'reviewer')
  async list(@Param('id', ParseUUIDPipe) id: string) {
    return { items: (await this.registry.grantsOf(id)).map(grantView) };
  }

  @ApiOperation({ summary: 'Lets another agent act for this one: receive its tokens through token exchange (may_act). Idempotent.' })
  @Put(':delegateId')
  @Roles('admin')
  async grant(@Param('id', ParseUUIDPipe) id: string, @Param('delegateId', ParseUUIDPipe) delegateId: string, @CurrentPrincipal() principal: Principal) {
    return grantView(await this.delegations.grant(id, delegateId, apiCause(principal.subject)));
  }

  @ApiOperation({ summary: 'Withdraws the grant: no new exchange for that agent; tokens already exchanged live until they expire.' })
  @Delete(':delegateId')
  @Roles('admin')
  @HttpCode(204)
  async withdraw(
    @Param('id', ParseUUIDPipe) id: string,
    @Param('delegateId', ParseUUIDPipe) delegateId: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    await this.delegations.withdraw(id, delegateId, apiCause(principal.subject));
  }
}
