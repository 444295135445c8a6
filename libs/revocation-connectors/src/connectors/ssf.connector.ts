import { KeyObject } from 'node:crypto';

import { SsfConfig, SsfEvent } from '../config/connector-config';
import { asRecord, parseJsonBody } from '../http/json';
import { isSuccess, unexpectedResponse } from '../http/response-outcome';
import { safeSnippet } from '../http/safe-reason';
import { ConnectorOutcome, RevocationConnector, RevocationRequest } from '../revocation-connector';
import { SET_MEDIA_TYPE } from '../ssf/caep-event-types';
import { securityEventClaims, signSecurityEvent } from '../ssf/security-event-token';
import { ConnectorRuntime } from './connector-runtime';
import { runToOutcome } from './connector-stop';

/**
 * Shared Signals: each configured CAEP event as its own signed SET, pushed per RFC 8935. Confirmed only when
 * the receiver accepted every one; a retry resends them all with the same `jti`s.
 */
export class SsfConnector implements RevocationConnector {
  readonly type = 'ssf';

  constructor(
    private readonly config: SsfConfig,
    private readonly runtime: ConnectorRuntime,
    private readonly signingKey: { privateKey: KeyObject; kid: string; alg?: 'ES256' | 'RS256' },
  ) {}

  get name(): string {
    return this.config.name;
  }

  revoke(request: RevocationRequest, signal?: AbortSignal): Promise<ConnectorOutcome> {
    return runToOutcome(async () => {
      // The SETs are independent: pushed at once, so a logout waits for the slower one, not for their sum.
      const outcomes = await Promise.all(this.config.events.map((event) => this.push(event, request, signal)));
      // A permanent failure says more than a transient one.
      const refused = outcomes.find((o) => o?.status === 'failed') ?? outcomes.find((o) => o !== undefined);
      if (refused) return refused;
      return { status: 'confirmed', detail: `receiver accepted ${this.config.events.join(' and ')}` };
    });
  }

  /** Undefined when the receiver accepted the SET, else the outcome that ends the revocation. */
  private async push(event: SsfEvent, request: RevocationRequest, signal?: AbortSignal): Promise<ConnectorOutcome | undefined> {
    const { issuer, audience, credentialType, endpoint, authorizationHeader } = this.config;
    const claims = securityEventClaims({ issuer, audience, event, credentialType, request, issuedAt: this.runtime.now() });
    const set = await signSecurityEvent(claims, this.signingKey.privateKey, this.signingKey.kid, this.signingKey.alg);
    const result = await this.runtime.http.send(
      {
        method: 'POST',
        url: endpoint,
        headers: {
          'content-type': SET_MEDIA_TYPE,
          accept: 'application/json',
          ...(authorizationHeader ? { authorization: authorizationHeader } : {}),
        },
        body: set,
      },
      signal,
    );
    const what = `ssf ${event}`;
    if (!result.answered) return { status: 'retry', reason: `${what}: ${result.reason}` };
    // RFC 8935 §2.2 asks for 202; any 2xx is read as accepted.
    if (isSuccess(result.status)) return undefined;
    const secrets = authorizationHeader ? [authorizationHeader, authorizationHeader.replace(/^\S+\s+/, '')] : [];
    const rejection = result.status === 400 ? setRejection(result.body, secrets) : undefined;
    if (rejection) return { status: 'failed', reason: `${what}: SET rejected: ${rejection}` };
    return unexpectedResponse(what, result, secrets, this.runtime.now());
  }
}

/** RFC 8935 §2.3 error body `{ "err": ..., "description": ... }` as "err: description", if it is one. */
function setRejection(body: string, secrets: string[]): string | undefined {
  const error = asRecord(parseJsonBody(body));
  if (typeof error?.['err'] !== 'string') return undefined;
  const description = typeof error['description'] === 'string' ? safeSnippet(error['description'], secrets) : '';
  const code = safeSnippet(error['err'], secrets);
  return description ? `${code}: ${description}` : code;
}
