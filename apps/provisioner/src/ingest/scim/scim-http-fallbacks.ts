import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';

import { HttpRequest, HttpResponse } from '../common/http';
import { genericDetail, sendScimError } from './scim-exception.filter';
import { SCIM_BASE_PATH } from './scim.constants';
import { ScimError } from './scim.errors';

type Next = (error?: unknown) => void;

/** Endpoints RFC 7644 defines that this service does not implement (§3.11 /Me, §3.7 /Bulk): 501, as the RFC asks. */
const NOT_IMPLEMENTED: Record<string, string> = {
  '/me': 'The /Me endpoint is not supported: this service provider has no notion of the authenticated subject as a User',
  '/bulk': 'Bulk operations are not supported (ServiceProviderConfig bulk.supported is false)',
};

/**
 * Answers in the SCIM error schema what never reaches the SCIM controllers, and so their exception filter:
 * a route under /scim/v2 that does not exist, and a body the runtime's JSON parser refused (an
 * application/json body that is not JSON, too large, in an unknown charset). The runtime's answer to those is a
 * problem document, which a SCIM client cannot read, and the JSON parser's message quotes the body.
 *
 * They are Express handlers mounted on /scim/v2 when the modules initialise: after the parser and the routes,
 * before the runtime's own not-found and error handlers, which Nest adds once every module is initialised.
 */
@Injectable()
export class ScimHttpFallbacks implements OnModuleInit {
  private readonly logger = new Logger('Scim');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const http = this.adapterHost.httpAdapter?.getInstance?.() as { use?: (path: string, ...handlers: unknown[]) => unknown } | undefined;
    if (typeof http?.use !== 'function') return;
    http.use(SCIM_BASE_PATH, (request: HttpRequest, response: HttpResponse) => this.noRoute(request, response));
    http.use(SCIM_BASE_PATH, (error: unknown, _request: HttpRequest, response: HttpResponse, _next: Next) => this.refusedBody(error, response));
  }

  private noRoute(request: HttpRequest, response: HttpResponse): void {
    const path = (request.url ?? '/').split('?')[0].replace(/\/+$/, '').toLowerCase();
    const notImplemented = NOT_IMPLEMENTED[path];
    sendScimError(response, notImplemented ? ScimError.notImplemented(notImplemented) : new ScimError(404, genericDetail(404)));
  }

  private refusedBody(error: unknown, response: HttpResponse): void {
    const { status, type } = (typeof error === 'object' && error !== null ? error : {}) as { status?: unknown; type?: unknown };
    if (type === 'entity.parse.failed') {
      sendScimError(response, ScimError.invalidSyntax('The body is not valid JSON'));
    } else if (type === 'charset.unsupported' || type === 'encoding.unsupported') {
      sendScimError(response, new ScimError(415, 'The charset or content encoding of the body is not supported'));
    } else if (typeof status === 'number' && status >= 400 && status < 500) {
      sendScimError(response, new ScimError(status, genericDetail(status), status === 400 ? 'invalidSyntax' : undefined));
    } else {
      this.logger.error({ msg: 'unhandled error on a SCIM request', err: error });
      sendScimError(response, new ScimError(500, genericDetail(500)));
    }
  }
}
