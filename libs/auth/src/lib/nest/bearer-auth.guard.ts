import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';

import { AuthError } from '../auth.error';
import { Role } from '../roles';
import { assertAnyRole, TokenVerifier } from '../token-verifier';
import { AuthHttpException } from './auth-http.exception';
import { AuthenticatedRequest, IS_PUBLIC_KEY, ROLES_KEY } from './auth.decorators';

export const TOKEN_VERIFIER = Symbol('agentgov:token-verifier');

interface HttpRequest extends AuthenticatedRequest {
  headers: Record<string, string | string[] | undefined>;
}

interface HttpResponse {
  setHeader(name: string, value: string): unknown;
  headersSent?: boolean;
}

/** Global guard: every route needs a valid bearer token unless @Public(), and one of its @Roles(). */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(TOKEN_VERIFIER) private readonly verify: TokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets)) return true;
    // Only HTTP carries a bearer token here; anything else that is not @Public() is refused.
    if (context.getType() !== 'http') return false;

    const http = context.switchToHttp();
    const request = http.getRequest<HttpRequest>();
    const response = http.getResponse<HttpResponse>();
    try {
      const header = request.headers['authorization'];
      const principal = await this.verify(Array.isArray(header) ? header[0] : header);
      assertAnyRole(principal, this.reflector.getAllAndOverride<Role[]>(ROLES_KEY, targets) ?? []);
      request.principal = principal;
      return true;
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      const exception = new AuthHttpException(error);
      // Set here, not only in AuthProblemFilter, so the challenge survives whichever filter renders the error.
      if (exception.wwwAuthenticate && !response.headersSent) response.setHeader('WWW-Authenticate', exception.wwwAuthenticate);
      throw exception;
    }
  }
}
