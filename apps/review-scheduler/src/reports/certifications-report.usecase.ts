import { Injectable } from '@nestjs/common';

import { DecisionsOfDay, ReportsRepository } from './reports.repository';

export interface Period {
  /** ISO date-time, inclusive. */
  from: string;
  /** ISO date-time, exclusive. */
  to: string;
}

/** Decisions per day and kind in [from, to). */
@Injectable()
export class CertificationsReportUseCase {
  constructor(private readonly reports: ReportsRepository) {}

  async execute({ from, to }: Period): Promise<Period & { days: DecisionsOfDay[] }> {
    const days = await this.reports.decisionsPerDay(new Date(from), new Date(to));
    return { from, to, days };
  }
}
