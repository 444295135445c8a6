import { Module } from '@nestjs/common';

import { DelegationsController } from './delegations.controller';
import { DelegationsRepository } from './delegations.repository';
import { DelegationsService } from './delegations.service';

/** Who may act for whom in token exchange: the delegation tree, and the explicit grants beside it. */
@Module({
  controllers: [DelegationsController],
  providers: [DelegationsRepository, DelegationsService],
  exports: [DelegationsRepository],
})
export class DelegationsModule {}
