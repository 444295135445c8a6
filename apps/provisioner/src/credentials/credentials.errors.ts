import { DomainError } from '@agentgov/service-runtime';

/** Why a credentials request outside the OAuth endpoints was refused (those answer in RFC 6749 form). */
export enum CredentialsErrorCode {
  AgentNotFound = 'AGENT_NOT_FOUND',
  AgentDeprovisioned = 'AGENT_DEPROVISIONED',
  SigningKeyNotFound = 'SIGNING_KEY_NOT_FOUND',
}

const STATUS: Record<CredentialsErrorCode, [number, string]> = {
  [CredentialsErrorCode.AgentNotFound]: [404, 'Agent not found'],
  [CredentialsErrorCode.AgentDeprovisioned]: [409, 'The agent is deprovisioned'],
  [CredentialsErrorCode.SigningKeyNotFound]: [404, 'Signing key not found'],
};

export class CredentialsError extends DomainError {
  constructor(code: CredentialsErrorCode, detail: string) {
    const [status, title] = STATUS[code];
    super({ code, status, title, detail });
  }
}

export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  // RFC 8707 §2, RFC 8693 §2.2.2: no token for the resource or audience asked for.
  | 'invalid_target';

/** An RFC 6749 §5.2 (or RFC 8693 §2.2.2) error: answered as `{error, error_description}` by OAuthErrorFilter, never as a problem. */
export class OAuthError extends Error {
  constructor(
    readonly error: OAuthErrorCode,
    readonly description: string,
  ) {
    super(description);
    this.name = 'OAuthError';
  }

  get status(): number {
    return this.error === 'invalid_client' ? 401 : 400;
  }
}
