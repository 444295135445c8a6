import { Module } from '@nestjs/common';

import { LifecycleReporter } from './lifecycle-reporter';
import { OwnersController } from './owners.controller';
import { OwnersRepository } from './owners.repository';
import { OwnersService } from './owners.service';

/** The owner registry's API, the directory the ingest adapters resolve senders' subjects with, and the lifecycle reporter. */
@Module({
  controllers: [OwnersController],
  providers: [LifecycleReporter, OwnersRepository, OwnersService],
  exports: [LifecycleReporter, OwnersRepository, OwnersService],
})
export class OwnersModule {}
