import { Module } from '@nestjs/common';

import { LifecycleReporter } from './lifecycle-reporter';
import { OwnerDirectory } from './owner-directory';
import { OwnersController } from './owners.controller';
import { OwnersService } from './owners.service';

/** The owner registry's API, the directory the ingest adapters resolve senders' subjects with, and the lifecycle reporter. */
@Module({
  controllers: [OwnersController],
  providers: [LifecycleReporter, OwnerDirectory, OwnersService],
  exports: [LifecycleReporter, OwnerDirectory, OwnersService],
})
export class OwnersModule {}
