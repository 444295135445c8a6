import { Module } from '@nestjs/common';

import { ChangePolicyUseCase } from './change-policy.usecase';
import { PolicyController } from './policy.controller';
import { PolicyRepository } from './policy.repository';

/** The versioned containment policy (score bands per risk tier) and the admins' API to change it. */
@Module({
  controllers: [PolicyController],
  providers: [ChangePolicyUseCase, PolicyRepository],
  exports: [PolicyRepository],
})
export class PolicyModule {}
