import { Module } from '@nestjs/common';

import { ClockModule } from '../clock/clock.module';
import { RegistryModule } from '../registry/registry.module';
import { ReviewsModule } from '../reviews/reviews.module';
import { AgentLifecycleUseCase } from './agent-lifecycle.usecase';
import { IncidentReleasedUseCase } from './incident-released.usecase';
import { LifecycleEventsHandler } from './lifecycle-events.handler';
import { OwnerLifecycleUseCase } from './owner-lifecycle.usecase';

/**
 * The events the scheduler consumes: the registry and usage learnt from them, and the reviews they call for (an
 * agent reassigned or given wider scopes, an owner transferred, an incident released).
 */
@Module({
  imports: [ClockModule, RegistryModule, ReviewsModule],
  providers: [AgentLifecycleUseCase, IncidentReleasedUseCase, LifecycleEventsHandler, OwnerLifecycleUseCase],
})
export class LifecycleModule {}
