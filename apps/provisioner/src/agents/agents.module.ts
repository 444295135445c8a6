import { Module } from '@nestjs/common';

import { SERVICE_ENV } from '@agentgov/service-runtime';

import { ProvisionerEnv } from '../config/provisioner.env';
import { AgentChanges } from './agent-changes';
import { AgentsController } from './agents.controller';
import { AgentsRepository } from './agents.repository';
import { DELEGATION_MAX_DEPTH, RegisterAgentUseCase } from './register-agent.usecase';
import { UpdateAgentUseCase } from './update-agent.usecase';

@Module({
  controllers: [AgentsController],
  providers: [
    AgentChanges,
    AgentsRepository,
    { provide: DELEGATION_MAX_DEPTH, inject: [SERVICE_ENV], useFactory: (env: ProvisionerEnv) => env.DELEGATION_MAX_DEPTH },
    RegisterAgentUseCase,
    UpdateAgentUseCase,
  ],
  exports: [AgentChanges, AgentsRepository, RegisterAgentUseCase, UpdateAgentUseCase],
})
export class AgentsModule {}
