import { EventEmitter } from 'node:events';

import { EventStream, EventStreamEnd } from './event-stream';

/** A socket whose buffer takes `room` writes before it is full, and drains when told. */
class SlowSink extends EventEmitter {
  written: string[] = [];
  ended = false;
  destroyed = false;

  constructor(private room: number) {
    super();
  }

  write(chunk: string): boolean {
    this.written.push(chunk);
    this.room -= 1;
    return this.room > 0;
  }

  drainWith(room: number): void {
    this.room = room;
    this.emit('drain');
  }

  end(): void {
    this.ended = true;
  }

  destroy(): void {
    this.destroyed = true;
  }
}

describe('EventStream', () => {
  const open = (room: number, maxHeld = 3) => {
    const sink = new SlowSink(room);
    const ends: EventStreamEnd[] = [];
    return { sink, ends, stream: new EventStream(sink, maxHeld, (why) => ends.push(why)) };
  };

  it('writes events as text/event-stream frames, with heartbeats as comment lines', () => {
    const { sink, stream } = open(100);
    stream.retryAfter(2000);
    stream.send('incident', { id: 'i-1', summary: 'two\nlines' });
    stream.heartbeat();
    expect(sink.written).toEqual(['retry: 2000\n\n', 'event: incident\ndata: {"id":"i-1","summary":"two\\nlines"}\n\n', ': heartbeat\n\n']);
  });

  it('holds events while the socket is full and writes them in order once it drains', () => {
    const { sink, stream } = open(1);
    stream.send('incident', 1);
    stream.send('incident', 2);
    stream.send('incident', 3);
    stream.heartbeat();
    expect(sink.written).toHaveLength(1);
    expect(stream.backlog).toBe(2);
    sink.drainWith(100);
    expect(sink.written).toEqual(['event: incident\ndata: 1\n\n', 'event: incident\ndata: 2\n\n', 'event: incident\ndata: 3\n\n']);
    expect(stream.backlog).toBe(0);
  });

  it('drops a client that does not read: beyond maxHeld events held, the connection is destroyed and nothing more kept', () => {
    const { sink, stream, ends } = open(1, 3);
    for (let i = 0; i < 5; i++) stream.send('incident', i);
    expect(sink.destroyed).toBe(true);
    expect(ends).toEqual(['overflow']);
    expect(stream.closed).toBe(true);
    expect(stream.backlog).toBe(0);
    stream.send('incident', 99);
    sink.drainWith(100);
    expect(sink.written).toHaveLength(1);
  });

  it('ends with a last event when the client keeps up, and reports the end once', () => {
    const { sink, stream, ends } = open(100);
    stream.end({ event: 'reconnect', data: { reason: 'token expired' } });
    stream.end();
    stream.disconnected();
    expect(sink.written).toEqual(['event: reconnect\ndata: {"reason":"token expired"}\n\n']);
    expect(sink.ended).toBe(true);
    expect(ends).toEqual(['ended']);
  });

  it('writes nothing after the client went away', () => {
    const { sink, stream, ends } = open(100);
    stream.disconnected();
    stream.send('incident', 1);
    stream.heartbeat();
    expect(sink.written).toEqual([]);
    expect(ends).toEqual(['ended']);
  });
});
