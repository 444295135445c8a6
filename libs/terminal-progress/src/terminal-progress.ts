/** Where progress goes: process.stderr by default, or anything with `write` (a test's fake stream). */
export interface ProgressStream {
  write(chunk: string): unknown;
  /** A terminal: progress is one line redrawn in place. */
  isTTY?: boolean;
  /** The terminal's width: the redrawn line is cut to fit, because a wrapped line cannot be redrawn with `\r`. */
  columns?: number;
}

export interface ProgressOptions {
  /** What is being done, e.g. "seeding 10,000 agents": it starts every line. */
  label: string;
  /** How many units make 100%. Without it (or when not above 0): counts, rate and elapsed time, no bar or ETA. */
  total?: number;
  /** What is counted, e.g. "agents": shown after the counts and in the rate. */
  unit?: string;
  /** Default process.stderr, so that progress never mixes with a command's output on stdout. */
  stream?: ProgressStream;
  /** Overrides what the stream says (`stream.isTTY`, and not when TERM is "dumb"). */
  isTTY?: boolean;
  /** Off a terminal: at most one progress line this often, in ms (default 5000), so that CI logs stay readable. */
  intervalMs?: number;
  /** The clock in ms (default performance.now); tests pass a fake one. */
  now?: () => number;
}

/**
 * One piece of long work. Every method is safe to call at any time and never throws (progress must not be what
 * fails the work it reports): after done() or fail(), update and tick are ignored and log writes plain lines.
 */
export interface Progress {
  /** `done` units of the total so far; `detail` (optional) is shown after the figures until the next one. */
  update(done: number, detail?: string): void;
  /** `n` more units done (default 1). */
  tick(n?: number, detail?: string): void;
  /** A line of its own that stays, above the progress line on a terminal. */
  log(message: string): void;
  /** The work finished: on a terminal the progress line is cleared; one line says how long it took and how much. */
  done(summary?: string): void;
  /** The work failed: one line with the reason, the time and how far it got. */
  fail(reason: string): void;
}

const DEFAULT_INTERVAL_MS = 5000;
/** On a terminal: at most ten redraws a second however often update() is called; a figure held back is drawn within 0.2 s. */
const REDRAW_MS = 100;
const CATCH_UP_MS = 200;
/** While nothing is reported, the elapsed time and ETA on a terminal still move once a second. */
const REFRESH_MS = 1000;
/** Off a terminal, a long wait without progress still prints a line this often, so a stall shows as one. */
const QUIET_MAX_MS = 30_000;
/** Carriage return, then erase the whole line (ECMA-48 EL 2). */
const ERASE_LINE = '\r\x1b[2K';
const BAR_WIDTH = 20;

/** Progress of one piece of work on `stream` (default process.stderr). See ProgressOptions and Progress. */
export function createProgress(options: ProgressOptions): Progress {
  return new TerminalProgress(options);
}

/** "850 ms", "4.2 s", "42 s", "3 min 05 s", "1 h 02 min". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 60) return `${Math.floor(seconds)} s`;
  const totalSeconds = Math.floor(seconds);
  if (totalSeconds < 3600) return `${Math.floor(totalSeconds / 60)} min ${String(totalSeconds % 60).padStart(2, '0')} s`;
  const totalMinutes = Math.floor(totalSeconds / 60);
  return `${Math.floor(totalMinutes / 60)} h ${String(totalMinutes % 60).padStart(2, '0')} min`;
}

/** "10,000"; a fraction keeps one decimal ("2.5"). */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: 1 });
}

function formatRate(perSecond: number): string {
  const digits = perSecond >= 100 ? 0 : perSecond >= 1 ? 1 : 2;
  return perSecond.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

class TerminalProgress implements Progress {
  private readonly label: string;
  private readonly total?: number;
  private readonly unit: string;
  private readonly stream: ProgressStream;
  private readonly tty: boolean;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly startedAt: number;
  private count = 0;
  private detail?: string;
  private finished = false;
  /** On a terminal: a progress line is on screen (without its newline). */
  private lineShown = false;
  /** On a terminal: when update() last drew (for the throttle), when anything last drew, and what it showed. */
  private lastUpdateDrawAt = -Infinity;
  private lastDrawAt = -Infinity;
  private lastDrawState = '';
  /** Off a terminal: when the last progress line was written, and what it said (to know whether there is news). */
  private lastLineAt: number;
  private lastLineState = '';
  private readonly timer?: ReturnType<typeof setInterval>;

  constructor(options: ProgressOptions) {
    this.label = String(options.label ?? '');
    this.total = typeof options.total === 'number' && Number.isFinite(options.total) && options.total > 0 ? options.total : undefined;
    this.unit = options.unit ?? '';
    this.stream = options.stream ?? process.stderr;
    this.tty = options.isTTY ?? (this.stream.isTTY === true && process.env.TERM !== 'dumb');
    this.intervalMs = options.intervalMs !== undefined && options.intervalMs >= 0 ? options.intervalMs : DEFAULT_INTERVAL_MS;
    this.now = options.now ?? (() => performance.now());
    this.startedAt = this.safeNow();
    this.lastLineAt = this.startedAt;
    if (this.tty) {
      this.draw();
    } else {
      this.lastLineState = this.state();
      this.write(`${this.label}: started${this.total !== undefined ? ` (${formatCount(this.total)}${this.unitSuffix()})` : ''}\n`);
    }
    try {
      // Unref'd: a progress nobody finished never keeps the process alive.
      this.timer = setInterval(() => this.guard(() => this.onTimer()), this.tty ? CATCH_UP_MS : Math.min(REFRESH_MS, Math.max(this.intervalMs, 1)));
      this.timer.unref?.();
    } catch {
      this.timer = undefined;
    }
  }

  update(done: number, detail?: string): void {
    this.guard(() => {
      if (this.finished || typeof done !== 'number' || !Number.isFinite(done)) return;
      this.count = Math.max(0, done);
      if (detail !== undefined) this.detail = String(detail);
      this.report();
    });
  }

  tick(n = 1, detail?: string): void {
    this.guard(() => {
      if (typeof n !== 'number' || !Number.isFinite(n)) return;
      this.update(this.count + n, detail);
    });
  }

  log(message: string): void {
    this.guard(() => {
      const text = String(message).replace(/\n$/, '');
      if (this.tty && this.lineShown) {
        this.write(`${ERASE_LINE}${text}\n`);
        this.lineShown = false;
        if (!this.finished) this.draw();
      } else {
        this.write(`${text}\n`);
      }
    });
  }

  done(summary?: string): void {
    this.finish(() => {
      const parts = [`${this.label}: done in ${formatDuration(this.elapsedMs())}`, ...this.amounts()];
      if (summary !== undefined && summary !== '') parts.push(String(summary));
      return parts.join(' · ');
    });
  }

  fail(reason: string): void {
    this.finish(() => [`${this.label}: FAILED after ${formatDuration(this.elapsedMs())}`, ...this.amounts(), String(reason)].join(' · '));
  }

  private finish(line: () => string): void {
    this.guard(() => {
      if (this.finished) return;
      this.finished = true;
      if (this.timer) clearInterval(this.timer);
      this.write(`${this.tty && this.lineShown ? ERASE_LINE : ''}${line()}\n`);
      this.lineShown = false;
    });
  }

  /** After new figures: a redraw on a terminal (throttled), a line elsewhere if the last one is old enough. */
  private report(): void {
    if (this.tty) {
      if (this.safeNow() - this.lastUpdateDrawAt >= REDRAW_MS) {
        this.lastUpdateDrawAt = this.safeNow();
        this.draw();
      }
    } else if (this.safeNow() - this.lastLineAt >= this.intervalMs) this.writeLine();
  }

  private onTimer(): void {
    if (this.finished) return;
    if (this.tty) {
      if (this.state() !== this.lastDrawState || this.safeNow() - this.lastDrawAt >= REFRESH_MS) this.draw();
      return;
    }
    const quietFor = this.safeNow() - this.lastLineAt;
    const news = this.state() !== this.lastLineState;
    if ((news && quietFor >= this.intervalMs) || quietFor >= Math.max(this.intervalMs, QUIET_MAX_MS)) this.writeLine();
  }

  private writeLine(): void {
    this.lastLineAt = this.safeNow();
    this.lastLineState = this.state();
    this.write(`${this.label}: ${this.figures().join(' · ')}\n`);
  }

  private draw(): void {
    this.lastDrawAt = this.safeNow();
    this.lastDrawState = this.state();
    const bar = this.total !== undefined ? `${this.bar()} ` : '';
    let line = `${this.label} ${bar}${this.figures().join(' · ')}`;
    const columns = this.stream.columns;
    if (typeof columns === 'number' && columns > 1 && line.length > columns - 1) line = `${line.slice(0, Math.max(0, columns - 2))}…`;
    this.write(`${ERASE_LINE}${line}`);
    this.lineShown = true;
  }

  private bar(): string {
    const filled = Math.round(this.fraction() * BAR_WIDTH);
    return '█'.repeat(filled) + '░'.repeat(BAR_WIDTH - filled);
  }

  /** What a progress line says after the label: percentage, counts, rate, elapsed time, ETA, detail. */
  private figures(): string[] {
    const parts: string[] = [];
    if (this.total !== undefined) parts.push(`${Math.floor(this.fraction() * 100)}%`);
    parts.push(...this.amounts());
    parts.push(`elapsed ${formatDuration(this.elapsedMs())}`);
    const eta = this.etaMs();
    if (eta !== undefined) parts.push(`ETA ${formatDuration(eta)}`);
    if (this.detail) parts.push(this.detail);
    return parts;
  }

  /** "4,500/10,000 agents" and "1,234 agents/s", as far as they are known. */
  private amounts(): string[] {
    const parts: string[] = [];
    if (this.total !== undefined) parts.push(`${formatCount(this.count)}/${formatCount(this.total)}${this.unitSuffix()}`);
    else if (this.count > 0) parts.push(`${formatCount(this.count)}${this.unitSuffix()}`);
    const rate = this.ratePerSecond();
    if (rate !== undefined) parts.push(`${formatRate(rate)}${this.unitSuffix()}/s`);
    return parts;
  }

  /** The figures a line shows, minus the clock: a change means there is something new to say. */
  private state(): string {
    return `${this.count}|${this.detail ?? ''}`;
  }

  private unitSuffix(): string {
    return this.unit ? ` ${this.unit}` : '';
  }

  private fraction(): number {
    return this.total === undefined ? 0 : Math.min(1, this.count / this.total);
  }

  private elapsedMs(): number {
    return Math.max(0, this.safeNow() - this.startedAt);
  }

  /** The average since the start; none before half a second, when it would mostly be noise. */
  private ratePerSecond(): number | undefined {
    const elapsed = this.elapsedMs();
    return this.count > 0 && elapsed >= 500 ? (this.count * 1000) / elapsed : undefined;
  }

  private etaMs(): number | undefined {
    const rate = this.ratePerSecond();
    if (this.total === undefined || rate === undefined || this.count >= this.total) return undefined;
    return ((this.total - this.count) / rate) * 1000;
  }

  private safeNow(): number {
    try {
      const at = this.now();
      return Number.isFinite(at) ? at : 0;
    } catch {
      return 0;
    }
  }

  private write(chunk: string): void {
    try {
      this.stream.write(chunk);
    } catch {
      // A closed or broken stream (EPIPE): progress is lost, the work goes on.
    }
  }

  private guard(action: () => void): void {
    try {
      action();
    } catch {
      // Never let reporting progress fail the work itself.
    }
  }
}
