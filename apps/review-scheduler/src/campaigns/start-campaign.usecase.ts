import { randomUUID } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { AuditChain } from '@agentgov/audit-trail';

import { ReviewClock } from '../clock/review-clock';
import { RegistryRepository } from '../registry/registry.repository';
import { ReviewChanges } from '../reviews/review-changes';
import { dueDate, REVIEW_POLICY, ReviewPolicy } from '../reviews/review-policy';
import { CampaignProgress, CampaignProgressUseCase } from './campaign-progress.usecase';
import { CampaignError, CampaignErrorCode } from './campaigns.errors';
import { CampaignFilter, CampaignsRepository } from './campaigns.repository';

/** One request opens at most this many reviews: a campaign larger than that is several campaigns. */
export const MAX_CAMPAIGN_AGENTS = 5000;

export interface StartCampaignCommand {
  name: string;
  filter: CampaignFilter;
  createdBy: string;
}

/**
 * Certify many agents at once (by owner, tier or platform): a campaign opens one review per matching live agent
 * (an agent whose review is already open has it joined to the campaign), all due on the campaign's date.
 */
@Injectable()
export class StartCampaignUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditChain,
    private readonly campaigns: CampaignsRepository,
    private readonly registry: RegistryRepository,
    private readonly changes: ReviewChanges,
    private readonly progress: CampaignProgressUseCase,
    private readonly clock: ReviewClock,
    @Inject(REVIEW_POLICY) private readonly policy: ReviewPolicy,
  ) {}

  async execute(command: StartCampaignCommand): Promise<CampaignProgress> {
    const { name, filter, createdBy } = command;
    const now = this.clock.now();
    const id = randomUUID();
    const due = dueDate(this.policy, now);
    await this.dataSource.transaction(async (tx) => {
      const agentIds = await this.campaigns.liveAgentsMatching(tx, filter, MAX_CAMPAIGN_AGENTS + 1);
      if (agentIds.length === 0) throw new CampaignError(CampaignErrorCode.NoMatchingAgents, JSON.stringify(filter));
      if (agentIds.length > MAX_CAMPAIGN_AGENTS) {
        throw new CampaignError(CampaignErrorCode.CampaignTooLarge, `more than ${MAX_CAMPAIGN_AGENTS} agents match; narrow the filter`);
      }
      await this.campaigns.insert(tx, { id, name, filter, createdBy, createdAt: now, dueAt: due });
      await this.audit.append(tx, [
        {
          at: now,
          actorType: 'api',
          actor: createdBy,
          action: 'campaign.started',
          subjectType: 'campaign',
          subjectId: id,
          details: { name, filter, agents: agentIds.length },
        },
      ]);
      for (const agentId of agentIds) {
        const agent = await this.registry.findAgent(tx, agentId);
        if (agent) await this.changes.open(tx, agent, 'scheduled', now, { id, dueAt: due }, { actorType: 'api', actor: createdBy });
      }
      await this.campaigns.joinOpenReviews(tx, id, agentIds);
    });
    return this.progress.execute(id);
  }
}
