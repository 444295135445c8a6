import { Module } from '@nestjs/common';

import { RegistryRepository } from './registry.repository';

/** Agents, owners and usage as the scheduler learns them from events (see LifecycleModule); never another service's tables. */
@Module({
  providers: [RegistryRepository],
  exports: [RegistryRepository],
})
export class RegistryModule {}
