import { Body, Controller, Delete, Get, Header, HttpCode, Inject, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';

import { CurrentPrincipal, Principal, Public, Roles } from '@agentgov/auth';
import { createRequestValidator } from '@agentgov/service-runtime';

import { apiCause } from '../common/cause';
import { protectedResourceMetadata, resourceServerView } from './resource-server';
import { RESOURCE_SERVERS_CONFIG, ResourceServersConfig } from './resource-servers.config';
import { ResourceServersRepository } from './resource-servers.repository';
import { ResourceServerChanges, ResourceServerMetadata, ResourceServersService } from './resource-servers.service';

// RFC 6749 §3.3 scope-token; tool-level names such as crm.records.read.
const SCOPE = { type: 'string', minLength: 1, maxLength: 256, pattern: '^[\\x21\\x23-\\x5B\\x5D-\\x7E]+$' };
const URL_TEXT = { type: 'string', format: 'uri', maxLength: 2048 };
const FIELDS = {
  resource_name: { type: 'string', minLength: 1, maxLength: 200 },
  scopes_supported: { type: 'array', items: SCOPE, minItems: 1, maxItems: 256 },
  authorization_servers: { type: 'array', items: URL_TEXT, maxItems: 10 },
};

const validateRegistration = createRequestValidator<ResourceServerMetadata>({
  type: 'object',
  additionalProperties: false,
  required: ['resource', 'resource_name', 'scopes_supported'],
  properties: { resource: { type: 'string', minLength: 1, maxLength: 2048 }, ...FIELDS, resource_documentation: URL_TEXT },
});

// The identifier is what tokens for the resource carry as aud: to change it, register the new one and delete this.
const validateChanges = createRequestValidator<ResourceServerChanges>({
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: { ...FIELDS, resource_documentation: { anyOf: [URL_TEXT, { type: 'null' }] } },
});

const validateListQuery = createRequestValidator<{ limit?: string; after?: string }>(
  {
    type: 'object',
    additionalProperties: false,
    properties: { limit: { type: 'string', pattern: '^(?:[1-9][0-9]{0,2}|1000)$' }, after: { type: 'string', minLength: 1, maxLength: 2048 } },
  },
  'query string',
);

const READERS = ['admin', 'soc-analyst', 'reviewer'] as const;

/**
 * The protected resources (APIs, MCP servers) this issuer's tokens can be bound to (RFC 8707), each registered with
 * its RFC 9728 metadata: the identifier tokens carry as `aud`, and the tool-level scopes a token for it may carry.
 */
@ApiTags('resource servers')
@Controller('resource-servers')
export class ResourceServersController {
  constructor(
    private readonly servers: ResourceServersService,
    private readonly registry: ResourceServersRepository,
    @Inject(RESOURCE_SERVERS_CONFIG) private readonly config: ResourceServersConfig,
  ) {}

  @ApiBearerAuth()
  @ApiOperation({ summary: 'Registers a resource server with its RFC 9728 metadata (resource, resource_name, scopes_supported, ...).' })
  @Post()
  @Roles('admin')
  async register(@Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    return resourceServerView(await this.servers.register(validateRegistration(body), apiCause(principal.subject)), this.config.issuer);
  }

  @ApiBearerAuth()
  @Get()
  @Roles(...READERS)
  async list(@Query() query: unknown) {
    const q = validateListQuery(query ?? {});
    const page = await this.registry.list({ limit: q.limit ? Number(q.limit) : 100, after: q.after });
    return { items: page.items.map((s) => resourceServerView(s, this.config.issuer)), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  }

  @ApiBearerAuth()
  @Get(':id')
  @Roles(...READERS)
  async get(@Param('id', ParseUUIDPipe) id: string) {
    return resourceServerView(await this.registry.getById(id), this.config.issuer);
  }

  @ApiBearerAuth()
  @Patch(':id')
  @Roles('admin')
  async update(@Param('id', ParseUUIDPipe) id: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    return resourceServerView(await this.servers.update(id, validateChanges(body), apiCause(principal.subject)), this.config.issuer);
  }

  @ApiBearerAuth()
  @Delete(':id')
  @Roles('admin')
  @HttpCode(204)
  async remove(@Param('id', ParseUUIDPipe) id: string, @CurrentPrincipal() principal: Principal): Promise<void> {
    await this.servers.remove(id, apiCause(principal.subject));
  }

  /**
   * The resource's RFC 9728 metadata document, public as at the resource itself: a resource server (an MCP server)
   * can serve or proxy it at its own /.well-known/oauth-protected-resource.
   */
  @ApiOperation({ summary: "The resource's RFC 9728 protected resource metadata document (public)." })
  @Get(':id/oauth-protected-resource')
  @Public()
  @Header('Cache-Control', 'public, max-age=300')
  async metadata(@Param('id', ParseUUIDPipe) id: string) {
    return protectedResourceMetadata(await this.registry.getById(id), this.config.issuer);
  }
}
