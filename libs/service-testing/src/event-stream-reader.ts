import { waitFor } from '@agentgov/test-support';

export interface StreamedEvent {
  event: string;
  data: any;
}

/**
 * A client of a server-sent event stream, as a browser's fetch reads one (EventSource cannot send an Authorization
 * header): it keeps every event and counts comment lines (heartbeats).
 */
export class EventStreamReader {
  readonly events: StreamedEvent[] = [];
  heartbeats = 0;
  ended = false;
  private readonly abort = new AbortController();

  private constructor(
    readonly status: number,
    readonly headers: Headers,
    readonly body: string,
  ) {}

  /** Opens the stream; a refusal (not 200) is read whole into `body`. */
  static async open(url: string, authorization?: string): Promise<EventStreamReader> {
    const abort = new AbortController();
    const response = await fetch(url, { headers: { accept: 'text/event-stream', ...(authorization ? { authorization } : {}) }, signal: abort.signal });
    if (response.status !== 200) return new EventStreamReader(response.status, response.headers, await response.text());
    const reader = new EventStreamReader(response.status, response.headers, '');
    abort.signal.addEventListener('abort', () => reader.abort.abort());
    reader.abort.signal.addEventListener('abort', () => abort.abort());
    void reader.read(response.body as ReadableStream<Uint8Array>);
    return reader;
  }

  /** The first event (from the start) that satisfies the predicate, waiting for it. */
  async next(predicate: (e: StreamedEvent) => boolean, what: string, timeoutMs = 30_000): Promise<StreamedEvent> {
    const found = await waitFor(
      async () => this.events.find(predicate),
      (e) => e !== undefined,
      { timeoutMs, intervalMs: 50, what },
    );
    return found as StreamedEvent;
  }

  of(event: string): any[] {
    return this.events.filter((e) => e.event === event).map((e) => e.data);
  }

  close(): void {
    this.abort.abort();
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          this.frame(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
      }
    } catch {
      // aborted by close(), or the connection dropped
    }
    this.ended = true;
  }

  private frame(text: string): void {
    let event = 'message';
    const data: string[] = [];
    for (const line of text.split('\n')) {
      if (line.startsWith(':')) this.heartbeats += 1;
      else if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data.push(line.slice(6));
    }
    if (data.length > 0) this.events.push({ event, data: JSON.parse(data.join('\n')) });
  }
}
