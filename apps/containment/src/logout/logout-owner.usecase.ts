import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { Incident } from '../incidents/incident';
import { Analyst, assertRecordable } from '../incidents/incident-decision';
import { KnownAgentsRepository } from '../registry/known-agents.repository';
import { LogoutError, LogoutErrorCode } from './logout.errors';
import { ManualLogout } from './manual-logout';

/** Beyond this, an owner's agents are logged out through the registry (suspending the owner), not one request. */
const MAX_AGENTS_PER_OWNER_LOGOUT = 1000;

/** Every live agent of the owner, each with its own incident, in one transaction. */
@Injectable()
export class LogoutOwnerUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly known: KnownAgentsRepository,
    private readonly manual: ManualLogout,
  ) {}

  async execute(ownerId: string, analyst: Analyst): Promise<Incident[]> {
    assertRecordable(analyst);
    return this.dataSource.transaction(async (tx) => {
      const agents = await this.known.ofOwner(tx, ownerId);
      if (agents.length === 0) throw new LogoutError(LogoutErrorCode.AgentNotKnown, `owner ${ownerId} has no live agents in the registry`);
      if (agents.length > MAX_AGENTS_PER_OWNER_LOGOUT) {
        throw new LogoutError(
          LogoutErrorCode.TooManyAgents,
          `owner ${ownerId} has ${agents.length} live agents (at most ${MAX_AGENTS_PER_OWNER_LOGOUT} here); suspend the owner in the registry instead, which logs out every agent through the registry`,
        );
      }
      const incidents: Incident[] = [];
      for (const agent of agents) incidents.push(await this.manual.contain(tx, agent, analyst));
      return incidents;
    });
  }
}
