import { Module } from '@nestjs/common';

import { SERVICE_ENV } from '@agentgov/service-runtime';

import { ProvisionerEnv } from '../config/provisioner.env';
import { CREDENTIALS_CONFIG, CredentialsConfig } from '../credentials/credentials.config';
import { CredentialsModule } from '../credentials/credentials.module';
import { GlobalTokenRevocationBodyReader } from './global-token-revocation-body';
import { GlobalTokenRevocationController } from './global-token-revocation.controller';
import { GlobalTokenRevocationRepository } from './global-token-revocation.repository';
import { GlobalTokenRevocationUseCase } from './global-token-revocation.usecase';
import { IdpRevocationAssertions } from './idp-revocation-assertion';
import { RevocationCallerGuard } from './revocation-caller.guard';
import { trustedRevocationIdpsFrom } from './trusted-revocation-idps';

/**
 * Global Token Revocation (draft-parecki-oauth-global-token-revocation-06): an IdP or a security tool names an agent
 * or an owner by an RFC 9493 subject identifier, and every token of it ends, through the issuer's revoke-all. The
 * caller is a platform principal with the role, or a trusted IdP signing its own assertions (GTR_TRUSTED_IDPS).
 */
@Module({
  imports: [CredentialsModule],
  controllers: [GlobalTokenRevocationController],
  providers: [
    GlobalTokenRevocationBodyReader,
    GlobalTokenRevocationRepository,
    GlobalTokenRevocationUseCase,
    RevocationCallerGuard,
    {
      provide: IdpRevocationAssertions,
      inject: [SERVICE_ENV, CREDENTIALS_CONFIG],
      // The endpoint's URL is the one audience its assertions may carry.
      useFactory: (env: ProvisionerEnv, credentials: CredentialsConfig) =>
        new IdpRevocationAssertions(trustedRevocationIdpsFrom(env), `${credentials.issuer}/global-token-revocation`),
    },
  ],
})
export class GlobalTokenRevocationModule {}
