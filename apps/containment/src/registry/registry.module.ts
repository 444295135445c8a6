import { Module } from '@nestjs/common';

import { ActionsModule } from '../actions/actions.module';
import { AgentLifecycleHandler } from './agent-lifecycle.handler';
import { ApplyAgentLifecycleUseCase } from './apply-agent-lifecycle.usecase';
import { KnownAgentsRepository } from './known-agents.repository';

/** The registry as containment learns it from agent.lifecycle.v1, and the registry's own suspensions carried to every connector. */
@Module({
  imports: [ActionsModule],
  providers: [AgentLifecycleHandler, ApplyAgentLifecycleUseCase, KnownAgentsRepository],
  exports: [KnownAgentsRepository],
})
export class RegistryModule {}
