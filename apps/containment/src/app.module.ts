import { DynamicModule, Module } from '@nestjs/common';

import { ServiceInfrastructureModule } from '@agentgov/service-infrastructure';

import { ActionsModule } from './actions/actions.module';
import { CONTAINMENT_SERVICE_NAME, ContainmentEnv } from './config/containment.env';
import { ConnectorsModule } from './connectors/connectors.module';
import { CONTAINMENT_ENTITIES, CONTAINMENT_MIGRATIONS, CONTAINMENT_SCHEMA } from './database/containment.database';
import { IncidentsModule } from './incidents/incidents.module';
import { LogoutModule } from './logout/logout.module';
import { PolicyModule } from './policy/policy.module';
import { RegistryModule } from './registry/registry.module';
import { SsfTransmitterModule } from './ssf-transmitter/ssf-transmitter.module';

@Module({})
export class AppModule {
  static forRoot(env: ContainmentEnv): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ActionsModule,
        ConnectorsModule,
        IncidentsModule,
        LogoutModule,
        PolicyModule,
        RegistryModule,
        SsfTransmitterModule,
        ServiceInfrastructureModule.forService({
          serviceName: CONTAINMENT_SERVICE_NAME,
          env,
          schema: CONTAINMENT_SCHEMA,
          entities: CONTAINMENT_ENTITIES,
          migrations: CONTAINMENT_MIGRATIONS,
          auditTrail: true,
        }),
      ],
    };
  }
}
