import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';

import { OAuthError } from './credentials.errors';

interface Response {
  status(code: number): Response;
  setHeader(name: string, value: string): unknown;
  json(body: unknown): unknown;
}

export const OAUTH_REALM = 'agentgov-oauth';

/** RFC 6749 §5.2 error responses for the token and revocation endpoints; other errors go to the global filter. */
@Catch(OAuthError)
export class OAuthErrorFilter implements ExceptionFilter {
  catch(exception: OAuthError, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    response.setHeader('Cache-Control', 'no-store');
    response.setHeader('Pragma', 'no-cache');
    if (exception.error === 'invalid_client') response.setHeader('WWW-Authenticate', `Basic realm="${OAUTH_REALM}"`);
    response.status(exception.status).json({ error: exception.error, error_description: exception.description });
  }
}
