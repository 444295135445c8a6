import { Module } from '@nestjs/common';

import { keyEncryptionKeyFrom } from '@agentgov/sealed-secrets';
import { SERVICE_ENV } from '@agentgov/service-runtime';

import { ActionsModule } from '../actions/actions.module';
import { ContainmentEnv } from '../config/containment.env';
import { ConnectorsModule } from '../connectors/connectors.module';
import { IncidentsModule } from '../incidents/incidents.module';
import { RegistryModule } from '../registry/registry.module';
import { AlertForwarder } from './alert-forwarder';
import { ConnectorFailureIncidents } from './connector-failure-incidents';
import { DeliveryDispatcher } from './delivery-dispatcher';
import { EXTERNAL_TOKEN_KEK, ExternalTokensRepository } from './external-tokens.repository';
import { LogoutAgentUseCase } from './logout-agent.usecase';
import { LogoutOwnerUseCase } from './logout-owner.usecase';
import { LogoutController } from './logout.controller';
import { ManualLogout } from './manual-logout';
import { ReportExternalTokenUseCase } from './report-external-token.usecase';

/**
 * Universal logout carried out: the dispatcher that makes each connector call and records its receipt, the
 * analysts' manual logout, the external tokens RFC 7009 revokes, and the connectors' public API.
 */
@Module({
  imports: [ActionsModule, ConnectorsModule, IncidentsModule, RegistryModule],
  controllers: [LogoutController],
  providers: [
    AlertForwarder,
    ConnectorFailureIncidents,
    DeliveryDispatcher,
    {
      provide: EXTERNAL_TOKEN_KEK,
      inject: [SERVICE_ENV],
      useFactory: (env: ContainmentEnv) =>
        keyEncryptionKeyFrom({ variable: 'EXTERNAL_TOKEN_ENCRYPTION_KEY', base64: env.EXTERNAL_TOKEN_ENCRYPTION_KEY, developmentPurpose: 'external-token' }),
    },
    ExternalTokensRepository,
    LogoutAgentUseCase,
    LogoutOwnerUseCase,
    ManualLogout,
    ReportExternalTokenUseCase,
  ],
})
export class LogoutModule {}
