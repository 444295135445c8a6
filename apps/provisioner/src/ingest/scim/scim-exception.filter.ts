import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';

import { AuthHttpException } from '@agentgov/auth';
import { DomainError } from '@agentgov/service-runtime';

import { OwnerError } from '../../owners/owners.errors';
import { HttpResponse } from '../common/http';
import { scimErrorFromOwnerError } from './scim-users.service';
import { SCIM_CONTENT_TYPE, SCIM_ERROR_SCHEMA } from './scim.constants';
import { ScimError } from './scim.errors';

/** Every error on /scim/v2 leaves in the SCIM error schema (RFC 7644 §3.12), status as a string. */
@Catch()
export class ScimExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Scim');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<HttpResponse>();
    const error = toScimError(exception);
    if (!error) this.logger.error({ msg: 'unhandled error on a SCIM request', err: exception });
    const { status, detail, scimType } = error ?? new ScimError(500, 'An unexpected error occurred. It has been logged.');
    if (response.headersSent) {
      response.end();
      return;
    }
    if (exception instanceof AuthHttpException && exception.wwwAuthenticate) response.setHeader('WWW-Authenticate', exception.wwwAuthenticate);
    response
      .status(status)
      .type(SCIM_CONTENT_TYPE)
      .send(JSON.stringify({ schemas: [SCIM_ERROR_SCHEMA], status: String(status), ...(scimType ? { scimType } : {}), detail }));
  }
}

function toScimError(exception: unknown): ScimError | undefined {
  if (exception instanceof ScimError) return exception;
  if (exception instanceof OwnerError) return scimErrorFromOwnerError(exception);
  if (exception instanceof DomainError) {
    return new ScimError(exception.status, exception.message, exception.status === 400 ? 'invalidValue' : undefined);
  }
  if (exception instanceof HttpException) {
    const body = exception.getResponse();
    const detail =
      typeof body === 'object' && body !== null && typeof (body as { detail?: unknown }).detail === 'string'
        ? (body as { detail: string }).detail
        : exception.message;
    return new ScimError(exception.getStatus(), detail, exception.getStatus() === 400 ? 'invalidSyntax' : undefined);
  }
  return undefined;
}
