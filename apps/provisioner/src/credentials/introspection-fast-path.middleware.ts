import { Inject, Injectable, NestMiddleware } from '@nestjs/common';

import { AuthError, AuthErrorCode, TOKEN_VERIFIER, TokenVerifier, assertAnyRole } from '@agentgov/auth';

import { IntrospectTokenUseCase } from './introspect-token.usecase';

interface RawRequest {
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
}

interface RawResponse {
  statusCode: number;
  setHeader(name: string, value: string): void;
  end(body: string): void;
}

const MAX_TOKEN_LENGTH = 8192;
const INTROSPECTION_ROLES = ['admin', 'ingest', 'soc-analyst'] as const;

/**
 * Introspection is the hot path of every resource server (target: p99 < 5 ms at 2,000 req/s on two cores), so
 * it is answered here, before Nest's router, guards and interceptors, which cost more than the introspection
 * itself. It applies the same checks as the rest of the API: a platform bearer token with one of the roles the
 * controller declares, the body parsed by the same parsers; OAuthController.introspection documents the
 * endpoint in OpenAPI and would serve it if this middleware were not mounted.
 */
@Injectable()
export class IntrospectionFastPathMiddleware implements NestMiddleware {
  constructor(
    @Inject(TOKEN_VERIFIER) private readonly verify: TokenVerifier,
    private readonly introspect: IntrospectTokenUseCase,
  ) {}

  async use(request: RawRequest, response: RawResponse): Promise<void> {
    response.setHeader('Cache-Control', 'no-store');
    response.setHeader('Pragma', 'no-cache');
    try {
      const authorization = request.headers.authorization;
      const principal = await this.verify(Array.isArray(authorization) ? authorization[0] : authorization);
      assertAnyRole(principal, INTROSPECTION_ROLES);
    } catch (error) {
      const auth = error instanceof AuthError ? error : new AuthError(AuthErrorCode.InvalidSignature, 'The bearer token is not valid.');
      const forbidden = auth.code === AuthErrorCode.Forbidden;
      if (!forbidden) response.setHeader('WWW-Authenticate', 'Bearer realm="agentgov", error="invalid_token"');
      return this.send(response, forbidden ? 403 : 401, {
        type: 'about:blank',
        title: forbidden ? 'Forbidden' : 'Unauthorized',
        status: forbidden ? 403 : 401,
        detail: auth.message,
      }, 'application/problem+json');
    }
    const body = request.body && typeof request.body === 'object' ? (request.body as Record<string, unknown>) : {};
    const token = typeof body.token === 'string' ? body.token : undefined;
    if (!token) return this.send(response, 400, { error: 'invalid_request', error_description: 'The token parameter is required.' });
    if (token.length > MAX_TOKEN_LENGTH) return this.send(response, 200, { active: false });
    try {
      this.send(response, 200, await this.introspect.execute(token));
    } catch {
      this.send(response, 500, { error: 'server_error', error_description: 'Introspection failed; try again.' });
    }
  }

  private send(response: RawResponse, status: number, body: unknown, contentType = 'application/json'): void {
    response.statusCode = status;
    response.setHeader('Content-Type', `${contentType}; charset=utf-8`);
    response.end(JSON.stringify(body));
  }
}
