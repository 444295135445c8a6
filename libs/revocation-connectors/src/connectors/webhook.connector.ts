import { WebhookConfig } from '../config/connector-config';
import { ConnectorOutcome, RevocationConnector, RevocationRequest } from '../revocation-connector';
import { deliverSignedWebhook } from '../webhook/signed-webhook-delivery';
import { ConnectorRuntime } from './connector-runtime';

export const WEBHOOK_EVENT_TYPE = 'agentgov.universal-logout';

/** What a webhook receiver gets, as JSON. */
export interface UniversalLogoutWebhookBody {
  type: typeof WEBHOOK_EVENT_TYPE;
  deliveryId: string;
  actionId: string;
  agentId: string;
  ownerId: string | null;
  kind: RevocationRequest['kind'];
  reason: string;
  occurredAt: string;
  /** Increasing with the order actions were decided: apply one only if it is newer than the last applied for the agent. */
  sequence: number | null;
}

/** A signed JSON POST; the receiver dedupes by Idempotency-Key and checks AgentGov-Signature. */
export class WebhookConnector implements RevocationConnector {
  readonly type = 'webhook';

  constructor(
    private readonly config: WebhookConfig,
    private readonly runtime: ConnectorRuntime,
  ) {}

  get name(): string {
    return this.config.name;
  }

  revoke(request: RevocationRequest, signal?: AbortSignal): Promise<ConnectorOutcome> {
    const body: UniversalLogoutWebhookBody = {
      type: WEBHOOK_EVENT_TYPE,
      deliveryId: request.deliveryId,
      actionId: request.actionId,
      agentId: request.agentId,
      ownerId: request.ownerId ?? null,
      kind: request.kind,
      reason: request.reason,
      occurredAt: request.occurredAt,
      sequence: request.sequence ?? null,
    };
    const { url, secret } = this.config;
    return deliverSignedWebhook(this.runtime, { url, secret, body, idempotencyKey: request.deliveryId }, signal);
  }
}
