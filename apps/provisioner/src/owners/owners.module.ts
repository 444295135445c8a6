import { Module } from '@nestjs/common';

import { IdentitySignalsController } from './identity-signals.controller';
import { LifecycleReporter } from './lifecycle-reporter';
import { OwnerMatcher } from './owner-matching';
import { OwnersController } from './owners.controller';
import { OwnersRepository } from './owners.repository';
import { OwnersService } from './owners.service';
import { ReportIds } from './report-ids';
import { UnmatchedSignals } from './unmatched-signals';

/**
 * The owner registry's API, the one rule by which identity signals find their owner (OwnerMatcher), the signals kept
 * because they found none (UnmatchedSignals), and the lifecycle reporter.
 */
@Module({
  controllers: [OwnersController, IdentitySignalsController],
  providers: [LifecycleReporter, OwnersRepository, OwnersService, ReportIds, OwnerMatcher, UnmatchedSignals],
  exports: [LifecycleReporter, OwnersRepository, OwnersService, ReportIds, OwnerMatcher, UnmatchedSignals],
})
export class OwnersModule {}
