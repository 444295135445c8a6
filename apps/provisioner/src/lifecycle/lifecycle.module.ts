import { Module } from '@nestjs/common';

import { SERVICE_ENV } from '@agentgov/service-runtime';

import { AgentsModule } from '../agents/agents.module';
import { ProvisionerEnv } from '../config/provisioner.env';
import { AgentDecisionsUseCase } from './agent-decisions.usecase';
import { LifecycleEventsHandler } from './lifecycle-events.handler';
import { parseOffboardingPolicy } from './offboarding-policy';
import { OFFBOARDING_POLICY, OwnerLifecycleUseCase } from './owner-lifecycle.usecase';

@Module({
  imports: [AgentsModule],
  providers: [
    AgentDecisionsUseCase,
    LifecycleEventsHandler,
    { provide: OFFBOARDING_POLICY, inject: [SERVICE_ENV], useFactory: (env: ProvisionerEnv) => parseOffboardingPolicy(env.OFFBOARDING_POLICY) },
    OwnerLifecycleUseCase,
  ],
})
export class LifecycleModule {}
