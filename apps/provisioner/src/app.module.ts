import { DynamicModule, Module } from '@nestjs/common';

import { ServiceInfrastructureModule } from '@agentgov/service-infrastructure';

import { AgentsModule } from './agents/agents.module';
import { PROVISIONER_SERVICE_NAME, ProvisionerEnv } from './config/provisioner.env';
import { CredentialsModule } from './credentials/credentials.module';
import { PROVISIONER_ENTITIES, PROVISIONER_MIGRATIONS, PROVISIONER_SCHEMA } from './database/provisioner.database';
import { DelegationsModule } from './delegations/delegations.module';
import { GlobalTokenRevocationModule } from './global-token-revocation/global-token-revocation.module';
import { IngestModule } from './ingest/ingest.module';
import { LifecycleModule } from './lifecycle/lifecycle.module';
import { OwnersModule } from './owners/owners.module';
import { ResourceServersModule } from './resource-servers/resource-servers.module';

@Module({})
export class AppModule {
  static forRoot(env: ProvisionerEnv): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AgentsModule,
        CredentialsModule,
        DelegationsModule,
        GlobalTokenRevocationModule,
        IngestModule,
        LifecycleModule,
        OwnersModule,
        ResourceServersModule,
        ServiceInfrastructureModule.forService({
          serviceName: PROVISIONER_SERVICE_NAME,
          env,
          schema: PROVISIONER_SCHEMA,
          entities: PROVISIONER_ENTITIES,
          migrations: PROVISIONER_MIGRATIONS,
          auditTrail: true,
        }),
      ],
    };
  }
}
