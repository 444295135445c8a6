import { Module } from '@nestjs/common';

import { BaselinesController } from './baselines.controller';
import { BaselinesRepository } from './baselines.repository';
import { GetBaselineUseCase } from './get-baseline.usecase';

@Module({ controllers: [BaselinesController], providers: [BaselinesRepository, GetBaselineUseCase] })
export class BaselinesModule {}
