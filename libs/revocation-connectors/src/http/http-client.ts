export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  body: string;
}

/** A response, or why there was none (network error, timeout, cancellation): always transient. */
export type HttpResult = ({ answered: true } & HttpResponse) | { answered: false; reason: string };

export interface HttpClient {
  send(request: HttpRequest, signal?: AbortSignal): Promise<HttpResult>;
}

/**
 * The most of an answer a connector reads: revocation endpoints answer with a status and a short JSON body; a peer
 * that streams megabytes (misconfigured, or hostile) must not fill the service's memory. The rest is not read.
 */
export const MAX_RESPONSE_BYTES = 64 * 1024;

/** `fetch` with a per-call timeout that also covers reading the body, combined with the caller's signal. */
export function createHttpClient(fetchImpl: typeof fetch, timeoutMs: number, maxResponseBytes = MAX_RESPONSE_BYTES): HttpClient {
  return {
    async send(request, signal) {
      const timeout = AbortSignal.timeout(timeoutMs);
      try {
        const response = await fetchImpl(request.url, {
          method: request.method,
          headers: request.headers,
          body: request.body,
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
          // A followed redirect would replay credentials and tokens to a location nobody configured.
          redirect: 'manual',
        });
        const body = await readCapped(response, maxResponseBytes);
        return { answered: true, status: response.status, headers: response.headers, body };
      } catch (error) {
        if (signal?.aborted) return { answered: false, reason: 'cancelled by the caller' };
        if (timeout.aborted) return { answered: false, reason: `no answer within ${timeoutMs} ms` };
        return { answered: false, reason: `network error (${errorCode(error)})` };
      }
    },
  };
}

/** The body's first `max` bytes as text; reading stops (and the stream is cancelled) there. */
async function readCapped(response: Response, max: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < max) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value.subarray(0, max - size));
      size += Math.min(value.byteLength, max - size);
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).toString('utf8');
}

// Only the error's code or class name: fetch error messages may carry the URL, and URLs may carry ids.
function errorCode(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } })?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  return error instanceof Error ? error.name : 'unknown';
}
