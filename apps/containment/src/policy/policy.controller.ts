import { Body, Controller, Get, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';

import { CurrentPrincipal, Principal, Roles } from '@agentgov/auth';
import { createRequestValidator } from '@agentgov/service-runtime';

import { ChangePolicyUseCase } from './change-policy.usecase';
import { CONTAINMENT_POLICY_SCHEMA, ContainmentPolicy } from './containment-policy';
import { PolicyRepository } from './policy.repository';

interface PolicyChange {
  policy: ContainmentPolicy;
  basedOnVersion: number;
  reason: string;
}

const validateChange = createRequestValidator<PolicyChange>({
  type: 'object',
  additionalProperties: false,
  required: ['policy', 'basedOnVersion', 'reason'],
  properties: {
    policy: CONTAINMENT_POLICY_SCHEMA,
    basedOnVersion: { type: 'integer', minimum: 1 },
    reason: { type: 'string', minLength: 1, maxLength: 1000 },
  },
});

const validateHistoryQuery = createRequestValidator<{ limit?: string }>(
  { type: 'object', additionalProperties: false, properties: { limit: { type: 'string', pattern: '^[1-9][0-9]{0,2}$' } } },
  'query',
);

@ApiTags('policy')
@ApiBearerAuth()
@Controller('policy')
export class PolicyController {
  constructor(
    private readonly policies: PolicyRepository,
    private readonly changePolicy: ChangePolicyUseCase,
  ) {}

  /** The policy in force: score bands per risk tier, shadow-agent action, cooldown. */
  @Get()
  @Roles('admin', 'soc-analyst')
  current() {
    return this.policies.current();
  }

  @Get('versions')
  @Roles('admin', 'soc-analyst')
  async versions(@Query() query: Record<string, unknown>) {
    const { limit } = validateHistoryQuery(query);
    return { versions: await this.policies.history(limit ? Number(limit) : 20) };
  }

  /** A new version of the policy; only an admin may change it (analysts act on incidents, not on policy). */
  @Put()
  @Roles('admin')
  change(@Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    const { policy, basedOnVersion, reason } = validateChange(body);
    return this.changePolicy.execute({ policy, basedOnVersion, actor: principal.subject, reason });
  }
}
