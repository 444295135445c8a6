import { Module } from '@nestjs/common';

import { SERVICE_ENV } from '@agentgov/service-runtime';

import { ProvisionerEnv } from '../config/provisioner.env';
import { RESOURCE_SERVERS_CONFIG, resourceServersConfigFrom } from './resource-servers.config';
import { ResourceServersController } from './resource-servers.controller';
import { ResourceServersRepository } from './resource-servers.repository';
import { ResourceServersService } from './resource-servers.service';

/** The registry of protected resources (RFC 9728) that the issuer binds tokens to (RFC 8707). */
@Module({
  controllers: [ResourceServersController],
  providers: [
    { provide: RESOURCE_SERVERS_CONFIG, inject: [SERVICE_ENV], useFactory: (env: ProvisionerEnv) => resourceServersConfigFrom(env) },
    ResourceServersRepository,
    ResourceServersService,
  ],
  exports: [ResourceServersRepository],
})
export class ResourceServersModule {}
