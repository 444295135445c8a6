import { Module } from '@nestjs/common';

import { AgentProfilesHandler } from '../registry/agent-profiles.handler';
import { AgentProfilesRepository } from '../registry/agent-profiles.repository';
import { ScoringThreads } from './scoring-threads';

@Module({
  providers: [AgentProfilesHandler, AgentProfilesRepository, ScoringThreads],
})
export class ScoringModule {}
