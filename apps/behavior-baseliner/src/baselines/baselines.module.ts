import { Module } from '@nestjs/common';

import { BaselinesController } from './baselines.controller';
import { BaselinesRepository } from './baselines.repository';
import { GetBaselineUseCase } from './get-baseline.usecase';
import { UsageHistoryRetention } from './usage-history-retention';
import { UsageHistoryRepository } from './usage-history.repository';

@Module({ controllers: [BaselinesController], providers: [BaselinesRepository, GetBaselineUseCase, UsageHistoryRepository, UsageHistoryRetention] })
export class BaselinesModule {}
