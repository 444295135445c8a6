import { Module } from '@nestjs/common';

import { AgentLifecycleHandler } from '../registry/agent-lifecycle.handler';
import { KnownAgents } from '../registry/known-agents';
import { ScoringRunner } from './scoring-runner';

@Module({
  providers: [AgentLifecycleHandler, KnownAgents, ScoringRunner],
})
export class ScoringModule {}
