import { DEFAULT_TIMEOUT_MS } from '../config/connector-config';
import { ConnectorRuntime } from '../connectors/connector-runtime';
import { runToOutcome } from '../connectors/connector-stop';
import { createHttpClient } from '../http/http-client';
import { isSuccess, unexpectedResponse } from '../http/response-outcome';
import { isPlainHttpUrl } from '../http/url';
import { ConnectorOutcome } from '../revocation-connector';
import { signWebhookBody, WEBHOOK_SIGNATURE_HEADER } from './webhook-signature';

export const MIN_WEBHOOK_SECRET_LENGTH = 32;

export interface SignedWebhook {
  url: string;
  secret: string;
  /** Sent as JSON. */
  body: unknown;
  /** Sent as Idempotency-Key: the receiver dedupes by it. */
  idempotencyKey: string;
}

/**
 * POSTs `body` as JSON, signed with AgentGov-Signature. 202 is 'sent' (the receiver will process it later),
 * any other 2xx 'confirmed'; 408, 429, 5xx and network errors 'retry'; other answers 'failed'.
 */
export function deliverSignedWebhook(runtime: ConnectorRuntime, webhook: SignedWebhook, signal?: AbortSignal): Promise<ConnectorOutcome> {
  return runToOutcome(async () => {
    if (!isPlainHttpUrl(webhook.url)) return { status: 'failed', reason: 'webhook: url is not an absolute http(s) URL' };
    if (webhook.secret.length < MIN_WEBHOOK_SECRET_LENGTH) {
      return { status: 'failed', reason: `webhook: secret is shorter than ${MIN_WEBHOOK_SECRET_LENGTH} characters` };
    }
    const rawBody = JSON.stringify(webhook.body);
    const signedAt = Math.floor(runtime.now().getTime() / 1000);
    const result = await runtime.http.send(
      {
        method: 'POST',
        url: webhook.url,
        headers: {
          'content-type': 'application/json',
          'idempotency-key': webhook.idempotencyKey,
          [WEBHOOK_SIGNATURE_HEADER.toLowerCase()]: signWebhookBody(webhook.secret, rawBody, signedAt),
        },
        body: rawBody,
      },
      signal,
    );
    if (!result.answered) return { status: 'retry', reason: `webhook: ${result.reason}` };
    if (result.status === 202) return { status: 'sent', detail: 'accepted for later processing (202)' };
    if (isSuccess(result.status)) return { status: 'confirmed', detail: `receiver answered ${result.status}` };
    return unexpectedResponse('webhook', result, [webhook.secret], runtime.now());
  });
}

export interface PostSignedWebhookOptions extends SignedWebhook {
  signal?: AbortSignal;
  /** Default 5000. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  now?: () => Date;
}

/** One signed webhook call outside any connector (e.g. forwarding alerts), with the webhook connector's outcomes. */
export function postSignedWebhook(options: PostSignedWebhookOptions): Promise<ConnectorOutcome> {
  const { signal, timeoutMs = DEFAULT_TIMEOUT_MS, fetch: fetchImpl = globalThis.fetch, now = () => new Date(), ...webhook } = options;
  return deliverSignedWebhook({ http: createHttpClient(fetchImpl, timeoutMs), now }, webhook, signal);
}
