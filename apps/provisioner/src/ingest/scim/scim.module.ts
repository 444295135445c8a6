import { Module } from '@nestjs/common';

import { AgentsModule } from '../../agents/agents.module';
import { OwnersModule } from '../../owners/owners.module';
import { ScimAgentsController } from './scim-agents.controller';
import { ScimAgentsRepository } from './scim-agents.repository';
import { ScimAgentsService } from './scim-agents.service';
import { ScimDiscoveryController } from './scim-discovery.controller';
import { ScimHttpFallbacks } from './scim-http-fallbacks';
import { ScimUsersController } from './scim-users.controller';
import { ScimUsersRepository } from './scim-users.repository';
import { ScimUsersService } from './scim-users.service';

/**
 * SCIM 2.0 (RFC 7643/7644) for identity providers that provision owners (/Users) and agents (/Agents,
 * draft-wzdk-scim-agent-resource-00, through the registry's use cases), the discovery endpoints, and
 * SCIM errors for everything under /scim/v2 (ScimHttpFallbacks). The body reader for application/scim+json is
 * configured by IngestModule with the other protocol media types.
 */
@Module({
  imports: [OwnersModule, AgentsModule],
  controllers: [ScimUsersController, ScimAgentsController, ScimDiscoveryController],
  providers: [ScimUsersService, ScimUsersRepository, ScimAgentsService, ScimAgentsRepository, ScimHttpFallbacks],
})
export class ScimModule {}
