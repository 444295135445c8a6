export const CONNECTOR_TYPES = ['builtin-issuer', 'oauth-revocation', 'keycloak', 'webhook', 'ssf', 'global-token-revocation'] as const;
export type ConnectorType = (typeof CONNECTOR_TYPES)[number];

export type RevocationKind = 'contain' | 'release' | 'deprovision';

export interface RevocationRequest {
  /** Idempotency key: the same key must never produce two effects at a receiver that dedupes by it. */
  deliveryId: string;
  /** Uuid of the containment action. */
  actionId: string;
  /** Registered agent uuid, or any printable id for a shadow agent. */
  agentId: string;
  ownerId?: string;
  kind: RevocationKind;
  reason: string;
  /** ISO time the action was decided. */
  occurredAt: string;
  /**
   * Order of decision among all actions (increasing, not contiguous): a receiver that keeps the last it applied per
   * agent ignores an older action that arrives late (a retried release after a later containment).
   */
  sequence?: number;
  /** Tokens the agent is known to hold at this connector's system (only RFC 7009 uses them). */
  tokens?: { token: string; tokenTypeHint?: 'access_token' | 'refresh_token' }[];
}

export type ConnectorOutcome =
  /** The system confirmed the effect, or there was nothing to revoke (then `detail` says so). */
  | { status: 'confirmed'; detail?: string }
  /** Accepted but not confirmed, e.g. a webhook that answers 202 and processes later. */
  | { status: 'sent'; detail?: string }
  /** Transient: network error, timeout, 408, 429, 5xx. `retryAfterMs` honours the receiver's Retry-After. */
  | { status: 'retry'; reason: string; retryAfterMs?: number }
  /** Permanent: retrying would not help (4xx other than 408/429, bad configuration). */
  | { status: 'failed'; reason: string };

export interface RevocationConnector {
  /** Unique name from the configuration. */
  readonly name: string;
  readonly type: ConnectorType;
  /** Never throws: every error becomes an outcome whose reason carries no secret. */
  revoke(request: RevocationRequest, signal?: AbortSignal): Promise<ConnectorOutcome>;
}
