import { HttpException } from '@nestjs/common';

import { AuthError } from '../auth.error';

export const AUTH_REALM = 'agentgov';
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface AuthProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
}

const TITLES: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 503: 'Service Unavailable' };

/**
 * An AuthError as an HttpException whose response is RFC 9457 problem details, so that any problem-details
 * filter renders it; `wwwAuthenticate` is the RFC 6750 challenge to send with it.
 */
export class AuthHttpException extends HttpException {
  readonly wwwAuthenticate?: string;

  constructor(readonly authError: AuthError) {
    const code = `AUTH_${authError.code.toUpperCase()}`;
    const body: AuthProblemBody = {
      type: `urn:agentgov:problem:${code.toLowerCase().replace(/_/g, '-')}`,
      title: TITLES[authError.status] ?? 'Error',
      status: authError.status,
      detail: authError.message,
      code,
    };
    super(body, authError.status);
    this.wwwAuthenticate = bearerChallenge(authError);
  }

  override getResponse(): AuthProblemBody {
    return super.getResponse() as AuthProblemBody;
  }
}

function bearerChallenge(error: AuthError): string | undefined {
  const description = error.message.replace(/["\\]/g, "'");
  // RFC 6750 3.1: a request without credentials gets a challenge without an error code.
  if (error.code === 'missing') return `Bearer realm="${AUTH_REALM}"`;
  if (error.status === 401) return `Bearer realm="${AUTH_REALM}", error="invalid_token", error_description="${description}"`;
  if (error.status === 403) return `Bearer realm="${AUTH_REALM}", error="insufficient_scope", error_description="${description}"`;
  return undefined;
}
