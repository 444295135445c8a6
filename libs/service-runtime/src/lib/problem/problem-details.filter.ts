import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';

import { AuthHttpException } from '@agentgov/auth';

import { HttpRequest, HttpResponse } from '../http-types';
import { internalErrorProblem, PROBLEM_CONTENT_TYPE, toProblemDetails } from './problem-details';

/** Every HTTP error leaves as `application/problem+json`; unexpected ones are logged, never returned. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const request = http.getRequest<HttpRequest>();
    const response = http.getResponse<HttpResponse>();
    // The path only: a query string may carry tokens or personal data.
    const instance = (request.originalUrl ?? request.url ?? '/').split('?')[0] || '/';

    let problem = toProblemDetails(exception, instance);
    if (!problem) {
      problem = internalErrorProblem(instance);
      this.logger.error({ msg: `unhandled error on ${request.method} ${instance}`, err: exception });
    } else if (problem.status >= 500) {
      this.logger.error({ msg: `${problem.code} on ${request.method} ${instance}`, err: exception });
    }

    if (response.headersSent) {
      response.end();
      return;
    }
    // Whichever of this filter and auth's own catches it, a 401/403 carries its RFC 6750 challenge.
    if (exception instanceof AuthHttpException && exception.wwwAuthenticate) {
      response.setHeader('WWW-Authenticate', exception.wwwAuthenticate);
    }
    response.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
  }
}
