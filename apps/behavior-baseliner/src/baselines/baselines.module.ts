import { Module } from '@nestjs/common';

import { AgentBaselines } from './agent-baselines';
import { BaselinesController } from './baselines.controller';

@Module({ controllers: [BaselinesController], providers: [AgentBaselines] })
export class BaselinesModule {}
