import { Module } from '@nestjs/common';

import { CredentialsModule } from '../credentials/credentials.module';
import { GlobalTokenRevocationBodyReader } from './global-token-revocation-body';
import { GlobalTokenRevocationController } from './global-token-revocation.controller';
import { GlobalTokenRevocationRepository } from './global-token-revocation.repository';
import { GlobalTokenRevocationUseCase } from './global-token-revocation.usecase';

/**
 * Global Token Revocation (draft-parecki-oauth-global-token-revocation-06): an IdP or a security tool names an agent
 * or an owner by an RFC 9493 subject identifier, and every token of it ends, through the issuer's revoke-all.
 */
@Module({
  imports: [CredentialsModule],
  controllers: [GlobalTokenRevocationController],
  providers: [GlobalTokenRevocationBodyReader, GlobalTokenRevocationRepository, GlobalTokenRevocationUseCase],
})
export class GlobalTokenRevocationModule {}
