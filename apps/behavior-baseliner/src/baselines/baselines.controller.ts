import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';

import { Roles } from '@agentgov/auth';
import { createRequestValidator } from '@agentgov/service-runtime';

import { GetBaselineUseCase } from './get-baseline.usecase';
import { USAGE_HISTORY_DAYS } from './usage-history.repository';

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

const validateQuery = createRequestValidator<{ days?: string }>(
  { type: 'object', additionalProperties: false, properties: { days: { type: 'string', pattern: '^[1-9][0-9]?$' } } },
  'query',
);

@ApiTags('baselines')
@ApiBearerAuth()
@Controller('agents')
export class BaselinesController {
  constructor(private readonly getBaseline: GetBaselineUseCase) {}

  /**
   * An agent's current baseline (what is normal for it), its open anomaly episode, its latest scores and its
   * current usage window, as of the last checkpoint (at most SCORING_CHECKPOINT_INTERVAL_MS old), and its activity
   * over the last `days` (default 7, at most USAGE_HISTORY_DAYS) against what its model holds usual at each time.
   */
  @Get(':agentId/baseline')
  @Roles('admin', 'soc-analyst')
  baseline(@Param() params: Record<string, unknown>, @Query() query: Record<string, unknown>) {
    const { agentId } = validateParams(params);
    const days = Math.min(Number(validateQuery(query).days ?? 7), USAGE_HISTORY_DAYS);
    return this.getBaseline.execute(agentId, days);
  }
}
