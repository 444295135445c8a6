import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';

import { AuthHttpException } from '@agentgov/auth';
import { UNSTORABLE_TEXT_DETAIL } from '@agentgov/contracts';
import { DomainError } from '@agentgov/service-runtime';

import { OwnerError } from '../../owners/owners.errors';
import { HttpResponse } from '../common/http';
import { scimErrorFromOwnerError } from './scim-users.service';
import { SCIM_CONTENT_TYPE, SCIM_ERROR_SCHEMA } from './scim.constants';
import { ScimError, ScimNotModified } from './scim.errors';

/** Every error on /scim/v2 leaves in the SCIM error schema (RFC 7644 §3.12), status as a string. */
@Catch()
export class ScimExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Scim');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<HttpResponse>();
    if (exception instanceof ScimNotModified) {
      if (!response.headersSent) response.setHeader('ETag', exception.version);
      response.status(304).end();
      return;
    }
    const error = toScimError(exception);
    if (!error) this.logger.error({ msg: 'unhandled error on a SCIM request', err: exception });
    sendScimError(response, error ?? new ScimError(500, 'An unexpected error occurred. It has been logged.'), exception);
  }
}

/** Writes a SCIM error body; the status is also a string in it, the detail never a copy of the request. */
export function sendScimError(response: HttpResponse, error: ScimError, exception?: unknown): void {
  if (response.headersSent) {
    response.end();
    return;
  }
  if (exception instanceof AuthHttpException && exception.wwwAuthenticate) response.setHeader('WWW-Authenticate', exception.wwwAuthenticate);
  const { status, detail, scimType } = error;
  response
    .status(status)
    .type(SCIM_CONTENT_TYPE)
    .send(JSON.stringify({ schemas: [SCIM_ERROR_SCHEMA], status: String(status), ...(scimType ? { scimType } : {}), detail }));
}

/**
 * The SCIM error for an exception, with a detail that does not repeat the request: owner and domain errors name
 * ids and values in their own messages, so only their codes and titles are used.
 */
export function toScimError(exception: unknown): ScimError | undefined {
  if (exception instanceof ScimError) return exception;
  if (exception instanceof OwnerError) return scimErrorFromOwnerError(exception);
  if (exception instanceof DomainError) {
    if (exception.code === 'UNSTORABLE_TEXT') return ScimError.invalidValue(`The request ${UNSTORABLE_TEXT_DETAIL}`);
    return new ScimError(exception.status, exception.title, exception.status === 400 ? 'invalidValue' : undefined);
  }
  // Authentication and authorization refusals: their details are this service's own words.
  if (exception instanceof AuthHttpException) return new ScimError(exception.getStatus(), exception.getResponse().detail);
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    return new ScimError(status, genericDetail(status), status === 400 ? 'invalidSyntax' : undefined);
  }
  return undefined;
}

/** What a refusal without a SCIM-specific reason says. */
export function genericDetail(status: number): string {
  if (status === 404) return 'No such SCIM endpoint or resource';
  if (status === 405) return 'Method not allowed on this SCIM endpoint';
  if (status === 413) return 'The body is too large';
  if (status === 415) return `Content-Type must be ${SCIM_CONTENT_TYPE} or application/json`;
  if (status >= 500) return 'An unexpected error occurred. It has been logged.';
  return 'The request is not valid';
}
