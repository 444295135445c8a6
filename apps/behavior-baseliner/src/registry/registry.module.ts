import { Module } from '@nestjs/common';

import { AgentProfilesHandler } from './agent-profiles.handler';
import { AgentProfilesRepository } from './agent-profiles.repository';

/** The baseliner's copy of the registry (owner, tier, status, platform, purpose), which scoring reads per agent. */
@Module({
  providers: [AgentProfilesHandler, AgentProfilesRepository],
  exports: [AgentProfilesRepository],
})
export class RegistryModule {}
