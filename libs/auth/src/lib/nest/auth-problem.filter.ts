import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';

import { AuthHttpException, PROBLEM_CONTENT_TYPE } from './auth-http.exception';

interface HttpRequest {
  originalUrl?: string;
  url?: string;
}

interface HttpResponse {
  headersSent: boolean;
  status(code: number): HttpResponse;
  setHeader(name: string, value: string): unknown;
  end(body?: string): unknown;
}

/** Renders authentication and authorisation failures as RFC 9457 problem details. */
@Catch(AuthHttpException)
export class AuthProblemFilter implements ExceptionFilter<AuthHttpException> {
  catch(exception: AuthHttpException, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<HttpRequest>();
    const response = http.getResponse<HttpResponse>();
    if (response.headersSent) {
      response.end();
      return;
    }
    // The path only: a query string may carry tokens.
    const instance = (request.originalUrl ?? request.url ?? '/').split('?')[0];
    if (exception.wwwAuthenticate) response.setHeader('WWW-Authenticate', exception.wwwAuthenticate);
    response.setHeader('Content-Type', PROBLEM_CONTENT_TYPE);
    response.status(exception.getStatus()).end(JSON.stringify({ ...exception.getResponse(), instance }));
  }
}
