import { Body, Controller, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';

import { CurrentPrincipal, Principal, Roles } from '@agentgov/auth';
import { createRequestValidator } from '@agentgov/service-runtime';

import { CampaignProgressUseCase } from './campaign-progress.usecase';
import { CampaignFilter } from './campaigns.repository';
import { StartCampaignUseCase } from './start-campaign.usecase';

const PRINTABLE = '^[\\x21-\\x7E]+$';

const validateCampaign = createRequestValidator<{ name: string; filter: CampaignFilter }>({
  type: 'object',
  additionalProperties: false,
  required: ['name', 'filter'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    filter: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: {
        ownerId: { type: 'string', minLength: 1, maxLength: 256, pattern: PRINTABLE },
        riskTier: { type: 'string', enum: ['low', 'medium', 'high', 'critical'] },
        platform: { type: 'string', minLength: 1, maxLength: 200 },
      },
    },
  },
});

/** Admins' certification campaigns. */
@ApiTags('campaigns')
@ApiBearerAuth()
@Controller()
export class CampaignsController {
  constructor(
    private readonly startCampaign: StartCampaignUseCase,
    private readonly campaignProgress: CampaignProgressUseCase,
  ) {}

  /** Opens a review for every live agent matching the filter (owner, risk tier, platform). */
  @Post('campaigns')
  @Roles('admin')
  start(@Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    const { name, filter } = validateCampaign(body);
    return this.startCampaign.execute({ name, filter, createdBy: principal.subject });
  }

  /** Progress and outcome so far: reviews open, overdue, certified, revoked, suspended. */
  @Get('campaigns/:id')
  @Roles('admin')
  progress(@Param('id', ParseUUIDPipe) id: string) {
    return this.campaignProgress.execute(id);
  }
}
