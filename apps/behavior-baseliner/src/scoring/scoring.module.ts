import { Module } from '@nestjs/common';

import { ScoringThreads } from './scoring-threads';

/** Scoring of agent.activity.v1 on worker threads; each thread reads the registry copy through its own view. */
@Module({
  providers: [ScoringThreads],
})
export class ScoringModule {}
