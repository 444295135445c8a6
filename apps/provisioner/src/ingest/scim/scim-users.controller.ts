import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Put, Query, Req, Res, UseFilters, UseInterceptors } from '@nestjs/common';

import { CurrentPrincipal, Principal, Roles } from '@agentgov/auth';

import { IngestRequest } from '../common/body-reader.middleware';
import { HttpRequest, HttpResponse } from '../common/http';
import { IngestSpanInterceptor } from '../common/ingest-span.interceptor';
import { parseAttributeSelection } from './scim-attribute-selection';
import { ScimExceptionFilter } from './scim-exception.filter';
import { parseScimFilter } from './scim-filter';
import { interpretScimPatch } from './scim-patch';
import { scimBody, scimCaller, scimPage, scimReply } from './scim-request';
import { parseScimUser } from './scim-user';
import { ScimListResponse, ScimUsersService } from './scim-users.service';
import { SCIM_CONTENT_TYPE } from './scim.constants';

/** SCIM 2.0 Users (RFC 7643/7644) for IdPs that provision owners; bearer tokens with the ingest role. */
@Controller('scim/v2/Users')
@Roles('ingest')
@UseFilters(ScimExceptionFilter)
@UseInterceptors(new IngestSpanInterceptor('scim'))
export class ScimUsersController {
  constructor(private readonly users: ScimUsersService) {}

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
    return this.users.list(
      parseScimFilter(filter),
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
    const answer = await this.users.get(
      id,
      { selection: parseAttributeSelection(attributes, excludedAttributes), ifNoneMatch },
      scimCaller(request, principal),
    );
    return scimReply(response, answer);
  }

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
    const input = parseScimUser(scimBody(request, body));
    const answer = await this.users.create(input, body, { selection: parseAttributeSelection(attributes, excludedAttributes) }, scimCaller(request, principal));
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
    const input = parseScimUser(scimBody(request, body));
    const options = { selection: parseAttributeSelection(attributes, excludedAttributes), ifMatch };
    return scimReply(response, await this.users.replace(id, input, body, options, scimCaller(request, principal)));
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
    const changes = interpretScimPatch(scimBody(request, body));
    const options = { selection: parseAttributeSelection(attributes, excludedAttributes), ifMatch };
    return scimReply(response, await this.users.patch(id, changes, body, options, scimCaller(request, principal)));
  }

  @Delete(':id')
  @HttpCode(204)
  async delete(
    @Param('id') id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Req() request: HttpRequest,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    await this.users.delete(id, { ifMatch }, scimCaller(request, principal));
  }
}
