import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { UsageHistoryRepository } from './usage-history.repository';

const PURGE_INTERVAL_MS = 60 * 60_000;

/** Forgets usage windows older than USAGE_HISTORY_DAYS, hourly (every replica does; the deletes are idempotent). */
@Injectable()
export class UsageHistoryRetention implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('UsageHistoryRetention');
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly dataSource: DataSource,
    private readonly history: UsageHistoryRepository,
  ) {}

  onApplicationBootstrap(): void {
    const purge = () =>
      void this.history
        .purge(this.dataSource.manager, new Date())
        .catch((error: Error) => this.logger.warn(`purging old usage windows failed: ${error.message}`));
    purge();
    this.timer = setInterval(purge, PURGE_INTERVAL_MS);
    this.timer.unref();
  }

  beforeApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}
