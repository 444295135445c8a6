import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { Incident } from '../incidents/incident';
import { Analyst, assertRecordable } from '../incidents/incident-decision';
import { KnownAgentsRepository } from '../registry/known-agents.repository';
import { LogoutError, LogoutErrorCode } from './logout.errors';
import { ManualLogout } from './manual-logout';

/** Ends one agent's access everywhere now, opening a manual incident that an analyst can later release or confirm. */
@Injectable()
export class LogoutAgentUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly known: KnownAgentsRepository,
    private readonly manual: ManualLogout,
  ) {}

  async execute(agentId: string, analyst: Analyst): Promise<Incident> {
    assertRecordable(analyst);
    return this.dataSource.transaction(async (tx) => {
      const agent = await this.known.find(tx, agentId);
      if (!agent || agent.status === 'deprovisioned')
        throw new LogoutError(LogoutErrorCode.AgentNotKnown, `agent ${agentId} is not a live agent in the registry`);
      return this.manual.contain(tx, agent, analyst);
    });
  }
}
