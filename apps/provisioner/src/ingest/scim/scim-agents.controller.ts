import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Put, Query, Req, Res, UseFilters, UseInterceptors } from '@nestjs/common';

import { CurrentPrincipal, Principal, Roles } from '@agentgov/auth';

import { IngestRequest } from '../common/body-reader.middleware';
import { HttpRequest, HttpResponse } from '../common/http';
import { IngestSpanInterceptor } from '../common/ingest-span.interceptor';
import { parseScimAgent } from './scim-agent';
import { parseScimAgentFilter } from './scim-agent-filter';
import { interpretScimAgentPatch } from './scim-agent-patch';
import { ScimAgentsExceptionFilter } from './scim-agents.exception-filter';
import { ScimAgentsService } from './scim-agents.service';
import { parseAttributeSelection } from './scim-attribute-selection';
import { scimBody, scimCaller, scimPage, scimReply } from './scim-request';
import { ScimListResponse } from './scim-users.service';
import { SCIM_CONTENT_TYPE } from './scim.constants';

/**
 * SCIM Agents (draft-wzdk-scim-agent-resource-00) for identity providers that manage agent identities: each is an
 * agent of the registry. The same bearer tokens and role as /Users (ingest), the same SCIM errors.
 */
@Controller('scim/v2/Agents')
@Roles('ingest')
@UseFilters(ScimAgentsExceptionFilter)
@UseInterceptors(new IngestSpanInterceptor('scim'))
export class ScimAgentsController {
  constructor(private readonly agents: ScimAgentsService) {}

  @Get()
  list(
    @Query('filter') filter: unknown,
    @Query('startIndex') startIndex: unknown,
    @Query('count') count: unknown,
    @Query('attributes') attributes: unknown,
    @Query('excludedAttributes') excludedAttributes: unknown,
    @Req() request: HttpRequest,
    @Res({ passthrough: true }) response: HttpResponse,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ScimListResponse> {
    response.setHeader('Content-Type', SCIM_CONTENT_TYPE);
    const page = scimPage(startIndex, count);
    return this.agents.list(
      parseScimAgentFilter(filter),
      page.startIndex,
      page.count,
      parseAttributeSelection(attributes, excludedAttributes),
      scimCaller(request, principal),
    );
  }

  @Get(':id')
  async get(
    @Param('id') id: string,
    @Query('attributes') attributes: unknown,
    @Query('excludedAttributes') excludedAttributes: unknown,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Req() request: HttpRequest,
    @Res({ passthrough: true }) response: HttpResponse,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Record<string, unknown>> {
    const selection = parseAttributeSelection(attributes, excludedAttributes);
    return scimReply(response, await this.agents.get(id, { selection, ifNoneMatch }, scimCaller(request, principal)));
  }

  /** Creates the agent in the registry (201, Location, ETag). The client secret the registry issues is never returned. */
  @Post()
  @HttpCode(201)
  async create(
    @Body() body: unknown,
    @Query('attributes') attributes: unknown,
    @Query('excludedAttributes') excludedAttributes: unknown,
    @Req() request: IngestRequest & HttpRequest,
    @Res({ passthrough: true }) response: HttpResponse,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Record<string, unknown>> {
    const input = parseScimAgent(scimBody(request, body));
    const answer = await this.agents.create(input, { selection: parseAttributeSelection(attributes, excludedAttributes) }, scimCaller(request, principal));
    response.setHeader('Location', answer.location);
    return scimReply(response, answer);
  }

  @Put(':id')
  async replace(
    @Param('id') id: string,
    @Body() body: unknown,
    @Query('attributes') attributes: unknown,
    @Query('excludedAttributes') excludedAttributes: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Req() request: IngestRequest & HttpRequest,
    @Res({ passthrough: true }) response: HttpResponse,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Record<string, unknown>> {
    const input = parseScimAgent(scimBody(request, body));
    const options = { selection: parseAttributeSelection(attributes, excludedAttributes), ifMatch };
    return scimReply(response, await this.agents.replace(id, input, options, scimCaller(request, principal)));
  }

  @Patch(':id')
  async patch(
    @Param('id') id: string,
    @Body() body: unknown,
    @Query('attributes') attributes: unknown,
    @Query('excludedAttributes') excludedAttributes: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Req() request: IngestRequest & HttpRequest,
    @Res({ passthrough: true }) response: HttpResponse,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Record<string, unknown>> {
    const changes = interpretScimAgentPatch(scimBody(request, body));
    const options = { selection: parseAttributeSelection(attributes, excludedAttributes), ifMatch };
    return scimReply(response, await this.agents.patch(id, changes, options, scimCaller(request, principal)));
  }

  /** Deprovisions the agent and its sub-agents (204); the agent is gone for SCIM afterwards. */
  @Delete(':id')
  @HttpCode(204)
  async delete(
    @Param('id') id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Req() request: HttpRequest,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    await this.agents.delete(id, { ifMatch }, scimCaller(request, principal));
  }
}
