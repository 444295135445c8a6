import { Module } from '@nestjs/common';

import { LifecycleReporter } from './lifecycle-reporter';
import { OwnersController } from './owners.controller';
import { OwnersRepository } from './owners.repository';
import { OwnersService } from './owners.service';
import { ReportIds } from './report-ids';

/** The owner registry's API, the directory the ingest adapters resolve senders' subjects with, and the lifecycle reporter. */
@Module({
  controllers: [OwnersController],
  providers: [LifecycleReporter, OwnersRepository, OwnersService, ReportIds],
  exports: [LifecycleReporter, OwnersRepository, OwnersService, ReportIds],
})
export class OwnersModule {}
