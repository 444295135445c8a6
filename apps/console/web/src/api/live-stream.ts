import { ApiClient, ApiProblem, ServiceName } from './api-client';

export type StreamStatus = 'connecting' | 'live' | 'reconnecting' | 'refused';

export interface LiveStreamHandlers {
  onEvent(event: string, data: unknown): void;
  onStatus(status: StreamStatus, problem?: ApiProblem): void;
}

const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 30_000;

/**
 * Reads a service's server-sent events through fetch (EventSource cannot send the Authorization header), and
 * reconnects with a fresh token when the stream ends (the token expired, the instance stopped, the network dropped),
 * backing off while it fails. A refusal (401, 403) stops it: signing in again, or another role, is needed.
 * Returns the function that closes it.
 */
export function openLiveStream(api: ApiClient, service: ServiceName, path: string, handlers: LiveStreamHandlers): () => void {
  const abort = new AbortController();
  let retryMs = RETRY_MIN_MS;
  let first = true;

  const run = async () => {
    while (!abort.signal.aborted) {
      handlers.onStatus(first ? 'connecting' : 'reconnecting');
      first = false;
      try {
        const response = await fetch(api.url(service, path), {
          headers: api.headers({ accept: 'text/event-stream' }),
          signal: abort.signal,
          cache: 'no-store',
        });
        if (response.status === 401 || response.status === 403) {
          handlers.onStatus('refused', await ApiProblem.of(response));
          return;
        }
        if (!response.ok || !response.body) throw await ApiProblem.of(response);
        handlers.onStatus('live');
        retryMs = RETRY_MIN_MS;
        await readEvents(response.body, handlers.onEvent);
      } catch {
        // a network failure or a service refusing for a moment: try again below
      }
      if (abort.signal.aborted) return;
      handlers.onStatus('reconnecting');
      await new Promise((resolve) => setTimeout(resolve, retryMs));
      retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
    }
  };
  void run();
  return () => abort.abort();
}

async function readEvents(body: ReadableStream<Uint8Array>, onEvent: LiveStreamHandlers['onEvent']): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of frame.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length > 0) onEvent(event, JSON.parse(data.join('\n')));
    }
  }
}
