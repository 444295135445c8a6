import { CanActivate, createParamDecorator, ExecutionContext, Inject, Injectable } from '@nestjs/common';

import { assertAnyRole, AuthError, AuthErrorCode, AuthHttpException, TOKEN_VERIFIER, TokenVerifier } from '@agentgov/auth';

import { IdpRevocationAssertions } from './idp-revocation-assertion';
import { RevocationCaller } from './revocation-caller';

/** Who may end every token of an agent or an owner by naming them with a platform token: one list, for the guard and the documentation. */
export const GLOBAL_TOKEN_REVOCATION_ROLES = ['admin', 'global-token-revocation'] as const;

interface GuardedRequest {
  headers: Record<string, string | string[] | undefined>;
  revocationCaller?: RevocationCaller;
}

const BEARER = /^Bearer\s+([A-Za-z0-9\-_.~+/]+=*)$/i;

/**
 * Authenticates a Global Token Revocation request (the route is @Public() to the platform's global guard, which
 * knows only platform tokens). A bearer JWT whose `iss` is one of GTR_TRUSTED_IDPS is verified as that IdP's
 * revocation assertion (what Okta Universal Logout sends: it supports no other method); any other bearer token as a
 * platform token with one of GLOBAL_TOKEN_REVOCATION_ROLES. Refusals are the platform's 401/403/503 problems, with
 * the WWW-Authenticate challenge.
 */
@Injectable()
export class RevocationCallerGuard implements CanActivate {
  constructor(
    @Inject(TOKEN_VERIFIER) private readonly verifyPlatformToken: TokenVerifier,
    private readonly assertions: IdpRevocationAssertions,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<GuardedRequest>();
    const response = http.getResponse<{ setHeader(name: string, value: string): unknown; headersSent?: boolean }>();
    try {
      const raw = request.headers['authorization'];
      const header = Array.isArray(raw) ? raw[0] : raw;
      const token = header ? BEARER.exec(header.trim())?.[1] : undefined;
      const idpCaller = token ? await this.assertions.verify(token) : undefined;
      if (idpCaller) {
        request.revocationCaller = { kind: 'idp', ...idpCaller };
        return true;
      }
      const principal = await this.verifyPlatformToken(header);
      assertAnyRole(principal, [...GLOBAL_TOKEN_REVOCATION_ROLES]);
      request.revocationCaller = { kind: 'platform', subject: principal.subject };
      return true;
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      const exception = new AuthHttpException(error);
      if (exception.wwwAuthenticate && !response.headersSent) response.setHeader('WWW-Authenticate', exception.wwwAuthenticate);
      throw exception;
    }
  }
}

/** The caller RevocationCallerGuard authenticated. */
export const CurrentRevocationCaller = createParamDecorator((_: unknown, context: ExecutionContext): RevocationCaller => {
  const caller = context.switchToHttp().getRequest<GuardedRequest>().revocationCaller;
  if (!caller) throw new AuthHttpException(new AuthError(AuthErrorCode.Missing, 'A bearer token is required.'));
  return caller;
});
