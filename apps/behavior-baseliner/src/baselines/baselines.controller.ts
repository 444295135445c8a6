import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';

import { Roles } from '@agentgov/auth';
import { createRequestValidator } from '@agentgov/service-runtime';

import { GetBaselineUseCase } from './get-baseline.usecase';

const validateParams = createRequestValidator<{ agentId: string }>(
  {
    type: 'object',
    additionalProperties: false,
    required: ['agentId'],
    // Activity names agents as the reporting system does (shadow agents need not be uuids).
    properties: { agentId: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[\\x21-\\x7E]+$' } },
  },
  'path',
);

@ApiTags('baselines')
@ApiBearerAuth()
@Controller('agents')
export class BaselinesController {
  constructor(private readonly getBaseline: GetBaselineUseCase) {}

  /**
   * An agent's current baseline (what is normal for it), its open anomaly episode, its latest scores and its
   * current usage window, as of the last checkpoint (at most SCORING_CHECKPOINT_INTERVAL_MS old).
   */
  @Get(':agentId/baseline')
  @Roles('admin', 'soc-analyst')
  baseline(@Param() params: Record<string, unknown>) {
    const { agentId } = validateParams(params);
    return this.getBaseline.execute(agentId);
  }
}
