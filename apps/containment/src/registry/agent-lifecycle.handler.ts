import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { Topics } from '@agentgov/contracts';
import { ConsumedEvent } from '@agentgov/messaging';
import { HandlesEvent } from '@agentgov/service-infrastructure';

import { ApplyAgentLifecycleUseCase } from './apply-agent-lifecycle.usecase';

/** Thin: the registry's agent.lifecycle.v1 goes to its use case, inside the inbox transaction. */
@Injectable()
export class AgentLifecycleHandler {
  constructor(private readonly applyLifecycle: ApplyAgentLifecycleUseCase) {}

  @HandlesEvent(Topics.AgentLifecycle)
  onAgentLifecycle(event: ConsumedEvent<'agent.lifecycle.v1'>, tx: EntityManager) {
    return this.applyLifecycle.execute(event, tx);
  }
}
