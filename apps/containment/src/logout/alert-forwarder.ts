import { Inject, Injectable } from '@nestjs/common';

import { ConnectorOutcome, postSignedWebhook } from '@agentgov/revocation-connectors';
import { SERVICE_ENV } from '@agentgov/service-runtime';

import { ContainmentEnv } from '../config/containment.env';

/**
 * Forwards containment alerts to ALERT_WEBHOOK_URL (a SIEM's HTTP collector), signed like the webhook
 * connector's calls so the receiver checks them the same way; durable and retried like any delivery.
 */
@Injectable()
export class AlertForwarder {
  constructor(@Inject(SERVICE_ENV) private readonly env: ContainmentEnv) {}

  async forward(alert: unknown, deliveryId: string, signal: AbortSignal): Promise<ConnectorOutcome> {
    if (!this.env.ALERT_WEBHOOK_URL || !this.env.ALERT_WEBHOOK_SECRET) return { status: 'failed', reason: 'ALERT_WEBHOOK_URL is no longer configured' };
    return postSignedWebhook({
      url: this.env.ALERT_WEBHOOK_URL,
      secret: this.env.ALERT_WEBHOOK_SECRET,
      body: alert,
      idempotencyKey: `alert:${deliveryId}`,
      signal,
    });
  }
}
