import { createProgress, formatCount, formatDuration, ProgressStream } from './terminal-progress';

const ERASE_LINE = '\r\x1b[2K';

/** A stream that records every write, and a clock the test moves (with jest's timers, so the refresh timer fires too). */
function setup(tty: boolean, extra: Partial<ProgressStream> = {}) {
  const writes: string[] = [];
  const stream: ProgressStream = { write: (chunk: string) => writes.push(chunk), isTTY: tty, ...extra };
  let clock = 0;
  const advance = (ms: number) => {
    clock += ms;
    jest.advanceTimersByTime(ms);
  };
  return { writes, stream, now: () => clock, advance, text: () => writes.join('') };
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('progress on a terminal', () => {
  it('redraws one line in place with a bar, percentage, counts, rate and ETA, and clears it on done', () => {
    const t = setup(true);
    const progress = createProgress({ label: 'seeding', total: 10_000, unit: 'agents', stream: t.stream, now: t.now });
    t.advance(2000);
    progress.update(4000);
    const line = t.writes[t.writes.length - 1];
    expect(line.startsWith(ERASE_LINE)).toBe(true);
    expect(line).not.toContain('\n');
    expect(line).toBe(`${ERASE_LINE}seeding ████████░░░░░░░░░░░░ 40% · 4,000/10,000 agents · 2,000 agents/s · elapsed 2.0 s · ETA 3.0 s`);

    t.advance(3000);
    progress.update(10_000, 'last chain');
    progress.done('all deprovisioned');
    expect(t.writes[t.writes.length - 1]).toBe(`${ERASE_LINE}seeding: done in 5.0 s · 10,000/10,000 agents · 2,000 agents/s · all deprovisioned\n`);
    // Every write but the last is a redraw of the same line: nothing scrolls while the work runs.
    expect(t.writes.slice(0, -1).every((w) => w.startsWith(ERASE_LINE) && !w.includes('\n'))).toBe(true);
  });

  it('redraws at most ten times a second however often it is updated, and keeps the clock moving when nothing is', () => {
    const t = setup(true);
    const progress = createProgress({ label: 'scoring', total: 1000, stream: t.stream, now: t.now });
    const before = t.writes.length;
    for (let i = 1; i <= 1000; i++) progress.update(i);
    expect(t.writes.length - before).toBeLessThanOrEqual(1);
    // The last figure, held back by the throttle, is drawn soon after without another update.
    t.advance(200);
    expect(t.writes[t.writes.length - 1]).toContain('1,000/1,000');
    const drawn = t.writes.length;
    t.advance(600);
    expect(t.writes.length).toBe(drawn);
    t.advance(400);
    expect(t.writes[t.writes.length - 1]).toContain('elapsed 1.2 s');
    progress.done();
  });

  it('prints a log line above the progress line and draws the bar again under it', () => {
    const t = setup(true);
    const progress = createProgress({ label: 'bursts', total: 30, stream: t.stream, now: t.now });
    t.advance(1000);
    progress.update(3);
    progress.log('target 3 contained');
    const [logLine, redraw] = t.writes.slice(-2);
    expect(logLine).toBe(`${ERASE_LINE}target 3 contained\n`);
    expect(redraw.startsWith(`${ERASE_LINE}bursts `)).toBe(true);
    expect(redraw).toContain('3/30');
    progress.done();
  });

  it('cuts the line to the width of the terminal, since a wrapped line cannot be redrawn', () => {
    const t = setup(true, { columns: 40 });
    const progress = createProgress({ label: 'a label long enough to need cutting', total: 10, stream: t.stream, now: t.now });
    const line = t.writes[t.writes.length - 1].slice(ERASE_LINE.length);
    expect(line.length).toBeLessThanOrEqual(39);
    expect(line.endsWith('…')).toBe(true);
    progress.done();
  });

  it('says how far it got and why on fail', () => {
    const t = setup(true);
    const progress = createProgress({ label: 'cascade', total: 10_000, unit: 'agents', stream: t.stream, now: t.now });
    t.advance(4000);
    progress.update(2500);
    progress.fail('the broker restarted');
    expect(t.writes[t.writes.length - 1]).toBe(`${ERASE_LINE}cascade: FAILED after 4.0 s · 2,500/10,000 agents · 625 agents/s · the broker restarted\n`);
  });
});

describe('progress off a terminal (CI logs)', () => {
  it('writes plain lines, no escape codes, at most one every interval, and one on done', () => {
    const t = setup(false);
    const progress = createProgress({ label: 'seeding', total: 10_000, unit: 'agents', stream: t.stream, now: t.now, intervalMs: 5000 });
    expect(t.writes).toEqual(['seeding: started (10,000 agents)\n']);
    for (let s = 1; s <= 12; s++) {
      progress.update(s * 500);
      t.advance(1000);
    }
    // 12 s of updates every second: a line at 5 s and at 10 s.
    expect(t.writes.slice(1)).toEqual([
      'seeding: 25% · 2,500/10,000 agents · 500 agents/s · elapsed 5.0 s · ETA 15 s\n',
      'seeding: 50% · 5,000/10,000 agents · 500 agents/s · elapsed 10 s · ETA 10 s\n',
    ]);
    progress.done();
    expect(t.writes[t.writes.length - 1]).toBe('seeding: done in 12 s · 6,000/10,000 agents · 500 agents/s\n');
    expect(t.text()).not.toContain('\r');
    expect(t.text()).not.toContain('\x1b');
    expect(
      t
        .text()
        .split('\n')
        .filter(Boolean)
        .every((l) => l.startsWith('seeding: ')),
    ).toBe(true);
  });

  it('writes a figure held back by the interval once the interval has passed, without another update', () => {
    const t = setup(false);
    const progress = createProgress({ label: 'cascade', total: 100, stream: t.stream, now: t.now, intervalMs: 5000 });
    t.advance(5000);
    progress.update(10);
    t.advance(1000);
    progress.update(90, 'almost');
    expect(t.writes.join('')).not.toContain('90/100');
    t.advance(4000);
    expect(t.writes[t.writes.length - 1]).toContain('90/100 · 9.0/s · elapsed 10 s · ETA 1.1 s · almost');
    // Nothing new: nothing more until a long silence, when a line shows the work is still going.
    const count = t.writes.length;
    t.advance(25_000);
    expect(t.writes.length).toBe(count);
    t.advance(5000);
    expect(t.writes[t.writes.length - 1]).toContain('elapsed 40 s');
    progress.done();
  });

  it('without a total: counts, rate and elapsed time, no percentage or ETA', () => {
    const t = setup(false);
    const progress = createProgress({ label: 'waiting', unit: 'events', stream: t.stream, now: t.now, intervalMs: 0 });
    expect(t.writes).toEqual(['waiting: started\n']);
    t.advance(2000);
    progress.tick(300);
    progress.tick();
    expect(t.writes.slice(-1)).toEqual(['waiting: 301 events · 151 events/s · elapsed 2.0 s\n']);
    progress.done('no anomaly');
    expect(t.writes[t.writes.length - 1]).toBe('waiting: done in 2.0 s · 301 events · 151 events/s · no anomaly\n');
  });
});

describe('progress never fails the work', () => {
  it('survives a stream that throws, a clock that throws, and nonsense figures', () => {
    const stream: ProgressStream = {
      isTTY: true,
      write: () => {
        throw new Error('EPIPE');
      },
    };
    const progress = createProgress({
      label: 'x',
      total: 10,
      stream,
      now: () => {
        throw new Error('clock');
      },
    });
    expect(() => {
      progress.update(NaN);
      progress.update(Infinity);
      progress.tick(-5);
      progress.log('line');
      progress.done();
      progress.fail('again');
    }).not.toThrow();
  });

  it('ignores updates after done, and a second done or fail', () => {
    const t = setup(false);
    const progress = createProgress({ label: 'x', total: 10, stream: t.stream, now: t.now, intervalMs: 0 });
    progress.done();
    const count = t.writes.length;
    progress.update(5);
    progress.done();
    progress.fail('late');
    t.advance(60_000);
    expect(t.writes.length).toBe(count);
    progress.log('still printed');
    expect(t.writes[t.writes.length - 1]).toBe('still printed\n');
  });

  it('stops its timer on done, so a finished progress writes nothing more', () => {
    const t = setup(true);
    const progress = createProgress({ label: 'x', stream: t.stream, now: t.now });
    progress.done();
    expect(jest.getTimerCount()).toBe(0);
  });
});

describe('formatting', () => {
  it('writes durations and counts for people', () => {
    expect([850, 4200, 42_700, 185_000, 3_725_000].map(formatDuration)).toEqual(['850 ms', '4.2 s', '42 s', '3 min 05 s', '1 h 02 min']);
    expect([10_000, 2.55, 0].map(formatCount)).toEqual(['10,000', '2.6', '0']);
  });
});
