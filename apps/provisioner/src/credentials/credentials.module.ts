import { Module } from '@nestjs/common';

import { SERVICE_ENV } from '@agentgov/service-runtime';

import { ProvisionerEnv } from '../config/provisioner.env';
import { DelegationsModule } from '../delegations/delegations.module';
import { ResourceServersModule } from '../resource-servers/resource-servers.module';
import { AccessTokenVerifier } from './access-token-verifier';
import { AgentCredentialsController } from './agent-credentials.controller';
import { AgentTokenStateCache } from './agent-token-state.cache';
import { ClientAuthenticator } from './client-authenticator';
import { CREDENTIALS_CONFIG, credentialsConfigFrom } from './credentials.config';
import { ExchangeTokenUseCase } from './exchange-token.usecase';
import { IntrospectTokenUseCase } from './introspect-token.usecase';
import { IntrospectionFastPath } from './introspection-fast-path';
import { IssueAccessTokenUseCase } from './issue-access-token.usecase';
import { OAuthController } from './oauth.controller';
import { ResourceTargets } from './resource-targets';
import { RevokeAgentTokensUseCase } from './revoke-agent-tokens.usecase';
import { RevokeSigningKeyUseCase } from './revoke-signing-key.usecase';
import { RevokeTokenUseCase } from './revoke-token.usecase';
import { RotateClientSecretUseCase } from './rotate-client-secret.usecase';
import { RotateSigningKeyUseCase } from './rotate-signing-key.usecase';
import { SigningKeyStore } from './signing-key-store';
import { TokenLiveness } from './token-liveness';
import { WellKnownController } from './well-known.controller';

/**
 * The embedded OAuth authorization server for agents: client credentials tokens, token exchange with delegation
 * chains, tokens bound to registered resources, JWKS and metadata, introspection, revocation, revoke-all, client
 * secret and signing key rotation.
 */
@Module({
  imports: [DelegationsModule, ResourceServersModule],
  controllers: [AgentCredentialsController, OAuthController, WellKnownController],
  providers: [
    AccessTokenVerifier,
    AgentTokenStateCache,
    ClientAuthenticator,
    { provide: CREDENTIALS_CONFIG, inject: [SERVICE_ENV], useFactory: (env: ProvisionerEnv) => credentialsConfigFrom(env) },
    ExchangeTokenUseCase,
    IntrospectionFastPath,
    IntrospectTokenUseCase,
    IssueAccessTokenUseCase,
    ResourceTargets,
    RevokeAgentTokensUseCase,
    RevokeTokenUseCase,
    RotateClientSecretUseCase,
    RevokeSigningKeyUseCase,
    RotateSigningKeyUseCase,
    SigningKeyStore,
    TokenLiveness,
  ],
  exports: [AccessTokenVerifier, AgentTokenStateCache, CREDENTIALS_CONFIG, IntrospectTokenUseCase, RevokeAgentTokensUseCase],
})
export class CredentialsModule {}
