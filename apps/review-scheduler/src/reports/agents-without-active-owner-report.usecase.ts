import { Injectable } from '@nestjs/common';

import { AgentWithoutActiveOwner, ReportsRepository } from './reports.repository';

/** Live agents whose accountable owner is no longer active (terminated or suspended, as HR reported). */
@Injectable()
export class AgentsWithoutActiveOwnerReportUseCase {
  constructor(private readonly reports: ReportsRepository) {}

  async execute(): Promise<{ items: AgentWithoutActiveOwner[] }> {
    return { items: await this.reports.agentsWithoutActiveOwner() };
  }
}
