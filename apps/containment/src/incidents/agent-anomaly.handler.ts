import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { Topics } from '@agentgov/contracts';
import { ConsumedEvent } from '@agentgov/messaging';
import { HandlesEvent } from '@agentgov/service-infrastructure';

import { ApplyAnomalyPolicyUseCase } from './apply-anomaly-policy.usecase';

/** Thin: the baseliner's agent.anomaly.v1 goes to the policy use case, inside the inbox transaction. */
@Injectable()
export class AgentAnomalyHandler {
  constructor(private readonly applyPolicy: ApplyAnomalyPolicyUseCase) {}

  @HandlesEvent(Topics.AgentAnomaly)
  onAgentAnomaly(event: ConsumedEvent<'agent.anomaly.v1'>, tx: EntityManager) {
    return this.applyPolicy.execute(event, tx);
  }
}
