/** Where a server-sent event stream writes: an HTTP response. */
export interface EventStreamSink {
  /** False when the socket's buffer is full: wait for 'drain' before writing more. */
  write(chunk: string): boolean;
  once(event: 'drain', listener: () => void): unknown;
  end(): void;
  destroy(): void;
}

export type EventStreamEnd = 'ended' | 'overflow';

/**
 * One client's server-sent event stream (text/event-stream) with bounded buffering. While the client keeps up, each
 * event goes straight to the socket. When the socket's buffer is full (a slow client, a stalled proxy), events are held
 * in memory, up to `maxHeld`; one more and the connection is dropped, so a client that stopped reading costs at most
 * that much memory. A dropped client reconnects and reads the list again: it has lost nothing it cannot get back.
 */
export class EventStream {
  private readonly held: string[] = [];
  private waitingForDrain = false;
  private ended = false;

  constructor(
    private readonly sink: EventStreamSink,
    private readonly maxHeld: number,
    private readonly onEnd: (why: EventStreamEnd) => void,
  ) {}

  get closed(): boolean {
    return this.ended;
  }

  /** Events held for a slow client right now. */
  get backlog(): number {
    return this.held.length;
  }

  /** One event: its name, and its data as one line of JSON. */
  send(event: string, data: unknown): void {
    this.push(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /** How long the client waits before reconnecting after the stream ends (the `retry` field). */
  retryAfter(ms: number): void {
    this.push(`retry: ${Math.round(ms)}\n\n`);
  }

  /**
   * A comment line, which clients ignore: it keeps proxies and load balancers from closing a quiet stream, and lets a
   * client tell a quiet stream from a dead one. Not sent to a client that is behind already.
   */
  heartbeat(): void {
    if (!this.waitingForDrain) this.push(': heartbeat\n\n');
  }

  /** Ends the stream, with a last event if given (written only if the client is keeping up). */
  end(last?: { event: string; data: unknown }): void {
    if (this.ended) return;
    if (last && !this.waitingForDrain) this.send(last.event, last.data);
    this.finish('ended');
    this.sink.end();
  }

  /** The client went away: nothing more is written. */
  disconnected(): void {
    this.finish('ended');
  }

  private push(chunk: string): void {
    if (this.ended) return;
    if (this.waitingForDrain) {
      if (this.held.length >= this.maxHeld) {
        this.finish('overflow');
        this.sink.destroy();
        return;
      }
      this.held.push(chunk);
      return;
    }
    if (!this.sink.write(chunk)) this.waitForDrain();
  }

  private waitForDrain(): void {
    this.waitingForDrain = true;
    this.sink.once('drain', () => this.drain());
  }

  private drain(): void {
    this.waitingForDrain = false;
    while (this.held.length > 0 && !this.ended) {
      if (!this.sink.write(this.held.shift() as string)) {
        this.waitForDrain();
        return;
      }
    }
  }

  private finish(why: EventStreamEnd): void {
    if (this.ended) return;
    this.ended = true;
    this.held.length = 0;
    this.onEnd(why);
  }
}
