import { Controller, Get, Param, Query, Req, Res, UseFilters } from '@nestjs/common';

import { Roles } from '@agentgov/auth';

import { baseUrlOf, HttpRequest, HttpResponse } from '../common/http';
import { listOf, resourceTypes, schemas, serviceProviderConfig } from './scim-discovery';
import { ScimExceptionFilter } from './scim-exception.filter';
import { SCIM_CONTENT_TYPE } from './scim.constants';
import { ScimError } from './scim.errors';

/**
 * SCIM discovery (RFC 7644 §4): what this service provider supports, its resource types and schemas. Behind the
 * same bearer token and role as /Users (the RFC leaves authentication of these endpoints to the provider).
 */
@Controller('scim/v2')
@Roles('ingest')
@UseFilters(ScimExceptionFilter)
export class ScimDiscoveryController {
  @Get('ServiceProviderConfig')
  serviceProviderConfig(@Query('filter') filter: unknown, @Req() request: HttpRequest, @Res({ passthrough: true }) response: HttpResponse): unknown {
    return answer(response, filter, serviceProviderConfig(baseUrlOf(request)));
  }

  @Get('ResourceTypes')
  resourceTypes(@Query('filter') filter: unknown, @Req() request: HttpRequest, @Res({ passthrough: true }) response: HttpResponse): unknown {
    return answer(response, filter, listOf(resourceTypes(baseUrlOf(request))));
  }

  @Get('ResourceTypes/:id')
  resourceType(@Param('id') id: string, @Req() request: HttpRequest, @Res({ passthrough: true }) response: HttpResponse): unknown {
    return answer(response, undefined, byId(resourceTypes(baseUrlOf(request)), id));
  }

  @Get('Schemas')
  schemas(@Query('filter') filter: unknown, @Req() request: HttpRequest, @Res({ passthrough: true }) response: HttpResponse): unknown {
    return answer(response, filter, listOf(schemas(baseUrlOf(request))));
  }

  @Get('Schemas/:id')
  schema(@Param('id') id: string, @Req() request: HttpRequest, @Res({ passthrough: true }) response: HttpResponse): unknown {
    return answer(response, undefined, byId(schemas(baseUrlOf(request)), id));
  }
}

/**
 * RFC 7644 §4: query parameters are ignored on these endpoints, but a filter is refused with 403, so that a
 * client cannot take the whole list for the resources matching its filter.
 */
function answer(response: HttpResponse, filter: unknown, document: Record<string, unknown>): Record<string, unknown> {
  if (filter !== undefined) throw new ScimError(403, 'Filtering is not supported on the discovery endpoints (RFC 7644 §4)');
  response.setHeader('Content-Type', SCIM_CONTENT_TYPE);
  return document;
}

function byId(resources: Array<Record<string, unknown>>, id: string): Record<string, unknown> {
  const found = resources.find((r) => typeof r['id'] === 'string' && r['id'].toLowerCase() === id.toLowerCase());
  if (!found) throw ScimError.notFound();
  return found;
}
