import { Body, Controller, Delete, Get, Header, HttpCode, Param, Patch, Post, Put, Query, Req, Res, UseFilters, UseInterceptors } from '@nestjs/common';

import { CurrentPrincipal, Principal, Roles } from '@agentgov/auth';
import { isStorableText, UNSTORABLE_TEXT_DETAIL } from '@agentgov/contracts';

import { IngestRequest } from '../common/body-reader.middleware';
import { baseUrlOf, HttpRequest, HttpResponse } from '../common/http';
import { IngestSpanInterceptor } from '../common/ingest-span.interceptor';
import { mediaTypeOf } from '../common/media-type';
import { ScimExceptionFilter } from './scim-exception.filter';
import { interpretScimPatch } from './scim-patch';
import { parseScimUser, ScimUserResource } from './scim-user';
import { ScimCaller, ScimFilter, ScimListResponse, ScimUsersService } from './scim-users.service';
import { SCIM_CONTENT_TYPE } from './scim.constants';
import { ScimError } from './scim.errors';

export const SCIM_BODY_MEDIA_TYPES = [SCIM_CONTENT_TYPE, 'application/json'] as const;
export const SCIM_BODY_LIMIT_BYTES = 256 * 1024;
const MAX_COUNT = 200;
const FILTER = /^\s*(userName|externalId|id)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$/i;

/** SCIM 2.0 Users (RFC 7643/7644) for IdPs that provision owners; bearer tokens with the ingest role. */
@Controller('scim/v2/Users')
@Roles('ingest')
@UseFilters(ScimExceptionFilter)
@UseInterceptors(new IngestSpanInterceptor('scim'))
export class ScimUsersController {
  constructor(private readonly users: ScimUsersService) {}

  @Get()
  @Header('Content-Type', SCIM_CONTENT_TYPE)
  list(
    @Query('filter') filter: unknown,
    @Query('startIndex') startIndex: unknown,
    @Query('count') count: unknown,
    @Req() request: HttpRequest,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ScimListResponse> {
    return this.users.list(
      parseFilter(filter),
      positiveInt(startIndex, 'startIndex', 1),
      Math.min(positiveInt(count, 'count', 100, true), MAX_COUNT),
      caller(request, principal),
    );
  }

  @Get(':id')
  @Header('Content-Type', SCIM_CONTENT_TYPE)
  get(@Param('id') id: string, @Req() request: HttpRequest, @CurrentPrincipal() principal: Principal): Promise<ScimUserResource> {
    return this.users.get(id, caller(request, principal));
  }

  @Post()
  @HttpCode(201)
  async create(
    @Body() body: unknown,
    @Req() request: IngestRequest & HttpRequest,
    @Res({ passthrough: true }) response: HttpResponse,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ScimUserResource> {
    const resource = await this.users.create(parseScimUser(readBody(request, body)), body, caller(request, principal));
    response.setHeader('Location', resource.meta.location);
    response.setHeader('ETag', resource.meta.version);
    response.setHeader('Content-Type', SCIM_CONTENT_TYPE);
    return resource;
  }

  @Put(':id')
  @Header('Content-Type', SCIM_CONTENT_TYPE)
  replace(
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() request: IngestRequest & HttpRequest,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ScimUserResource> {
    return this.users.replace(id, parseScimUser(readBody(request, body)), body, caller(request, principal));
  }

  @Patch(':id')
  @Header('Content-Type', SCIM_CONTENT_TYPE)
  patch(
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() request: IngestRequest & HttpRequest,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ScimUserResource> {
    return this.users.patch(id, interpretScimPatch(readBody(request, body)), body, caller(request, principal));
  }

  @Delete(':id')
  @HttpCode(204)
  async delete(@Param('id') id: string, @Req() request: HttpRequest, @CurrentPrincipal() principal: Principal): Promise<void> {
    await this.users.delete(id, caller(request, principal));
  }
}

function caller(request: HttpRequest, principal: Principal): ScimCaller {
  return { subject: principal.subject, baseUrl: baseUrlOf(request) };
}

function readBody(request: IngestRequest, body: unknown): unknown {
  const mediaType = mediaTypeOf(request);
  if (!(SCIM_BODY_MEDIA_TYPES as readonly string[]).includes(mediaType)) {
    throw new ScimError(415, `Content-Type must be ${SCIM_CONTENT_TYPE} or application/json`);
  }
  if (request.ingestBodyProblem === 'too-large') throw new ScimError(413, `The body is larger than ${SCIM_BODY_LIMIT_BYTES} bytes`);
  if (request.ingestBodyProblem) throw ScimError.invalidSyntax('The body is not valid JSON');
  if (body === undefined) throw ScimError.invalidSyntax('The body is empty');
  return body;
}

export function parseFilter(filter: unknown): ScimFilter | undefined {
  if (filter === undefined || filter === '') return undefined;
  const match = typeof filter === 'string' ? FILTER.exec(filter) : null;
  if (!match) throw ScimError.invalidFilter('Supported filters: userName eq "...", externalId eq "...", id eq "..."');
  let value: string;
  try {
    value = JSON.parse(`"${match[2]}"`);
  } catch {
    throw ScimError.invalidFilter('The filter value is not a valid string');
  }
  // Its escapes are decoded here, after the global check of the raw query.
  if (!isStorableText(value)) throw ScimError.invalidFilter(`The filter value ${UNSTORABLE_TEXT_DETAIL}`);
  return { attribute: match[1].toLowerCase() as ScimFilter['attribute'], value };
}

function positiveInt(value: unknown, name: string, fallback: number, allowZero = false): number {
  if (value === undefined || value === '') return fallback;
  if (typeof value !== 'string' || !/^\d{1,9}$/.test(value) || (!allowZero && Number(value) < 1)) {
    throw ScimError.invalidValue(`${name} must be ${allowZero ? 'a non-negative' : 'a positive'} integer`);
  }
  return Number(value);
}
