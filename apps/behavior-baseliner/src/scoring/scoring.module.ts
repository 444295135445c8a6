import { Module } from '@nestjs/common';

import { AgentLifecycleHandler } from '../registry/agent-lifecycle.handler';
import { KnownAgents } from '../registry/known-agents';
import { ScoringThreads } from './scoring-threads';

@Module({
  providers: [AgentLifecycleHandler, KnownAgents, ScoringThreads],
})
export class ScoringModule {}
