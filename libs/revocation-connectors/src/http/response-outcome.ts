import { ConnectorOutcome } from '../revocation-connector';
import { HttpResponse } from './http-client';
import { parseRetryAfter } from './retry-after';
import { describeResponse } from './safe-reason';

export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

export function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

/** The outcome of a response the connector did not expect: retry when transient (honouring Retry-After), else failed. */
export function unexpectedResponse(what: string, response: HttpResponse, secrets: readonly string[], now: Date): ConnectorOutcome {
  const reason = describeResponse(what, response.status, response.body, secrets);
  if (!isTransientStatus(response.status)) return { status: 'failed', reason };
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), now);
  return retryAfterMs === undefined ? { status: 'retry', reason } : { status: 'retry', reason, retryAfterMs };
}
