import { Inject, Injectable, NestMiddleware } from '@nestjs/common';

import { SERVICE_ENV } from '@agentgov/service-runtime';

import { ConsoleEnv } from '../config/console.env';

/**
 * What a browser may do with the console's pages: run and load only the console's own code, talk only to the console
 * (its API proxy) and the identity provider (discovery, token, and logout), never be framed, never send a Referer
 * (the sign-in callback URL carries the authorization code until the app replaces it). The OpenAPI page keeps its own
 * defaults (its inline script), the rest of the policy applies to it too.
 */
export function contentSecurityPolicy(issuer: string): string {
  const idp = new URL(issuer).origin;
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self' ${idp}`,
    `form-action 'self' ${idp}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
  ].join('; ');
}

@Injectable()
export class SecurityHeadersMiddleware implements NestMiddleware {
  private readonly policy: string;

  constructor(@Inject(SERVICE_ENV) env: ConsoleEnv) {
    this.policy = contentSecurityPolicy(env.AUTH_OIDC_ISSUER);
  }

  use(request: { originalUrl: string }, response: { setHeader(name: string, value: string): void }, next: () => void): void {
    if (!/^\/docs(\/|$)/.test(request.originalUrl)) response.setHeader('Content-Security-Policy', this.policy);
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('X-Frame-Options', 'DENY');
    response.setHeader('Referrer-Policy', 'no-referrer');
    response.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    response.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    response.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=()');
    next();
  }
}
