import { Logger } from '@nestjs/common';

export interface ClaimedWorkPumpOptions<T> {
  /** What the work is, for log lines ("deliveries", "stream events"). */
  what: string;
  logger: Logger;
  /** How many items may be worked on at once. */
  concurrency: () => number;
  /** Claims up to `free` due items (with a lease), never one of `exclude`: the items this process still works on. */
  claim(free: number, exclude: string[]): Promise<T[]>;
  idOf(item: T): string;
  /** Works on the claimed items (each run must never throw: its failure is its own receipt). */
  start(claimed: T[]): Promise<Array<Promise<void>>>;
  /** Items claimed just as shutdown began, handed back at once rather than after their lease. */
  handBack?(claimed: T[]): Promise<void>;
  /** False while the work cannot be done at all (no signing key yet): nothing is claimed. */
  ready?: () => boolean;
}

/**
 * The loop behind containment's leased work queues (connector calls, SET pushes): woken by a NOTIFY, a poll tick or a
 * finished item, it claims due items up to the free concurrency, one claim round at a time (a wake during a round
 * asks for another after it), and on shutdown lets the items in flight finish within a deadline.
 */
export class ClaimedWorkPump<T> {
  private readonly inFlight = new Map<string, Promise<void>>();
  private pumping = false;
  private pumpAgain = false;
  private stopping = false;
  private current: Promise<void> = Promise.resolve();

  constructor(private readonly options: ClaimedWorkPumpOptions<T>) {}

  get stopped(): boolean {
    return this.stopping;
  }

  wake(): void {
    if (this.stopping) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    this.current = this.pump().finally(() => {
      this.pumping = false;
      if (this.pumpAgain && !this.stopping) {
        this.pumpAgain = false;
        this.wake();
      }
    });
  }

  /** Claims nothing more; waits for the items in flight to finish, for at most `drainMs`. */
  async stop(drainMs: number): Promise<void> {
    this.stopping = true;
    await this.current;
    const drained = Promise.allSettled([...this.inFlight.values()]);
    const timeout = new Promise((resolve) => setTimeout(resolve, drainMs).unref());
    await Promise.race([drained, timeout]);
  }

  private async pump(): Promise<void> {
    const { options } = this;
    try {
      const free = options.concurrency() - this.inFlight.size;
      if (free <= 0 || (options.ready && !options.ready())) return;
      const claimed = await options.claim(free, [...this.inFlight.keys()]);
      if (claimed.length === 0) return;
      if (this.stopping && options.handBack) {
        await options.handBack(claimed);
        return;
      }
      const runs = await options.start(claimed);
      claimed.forEach((item, i) => {
        const id = options.idOf(item);
        this.inFlight.set(id, runs[i]);
        void runs[i].finally(() => {
          this.inFlight.delete(id);
          this.wake();
        });
      });
      if (claimed.length === free) this.pumpAgain = true;
    } catch (error) {
      if (!this.stopping) options.logger.warn(`claiming ${options.what} failed, will retry: ${(error as Error).message}`);
    }
  }
}
