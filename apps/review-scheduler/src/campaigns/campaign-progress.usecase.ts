import { Injectable } from '@nestjs/common';

import { CampaignError, CampaignErrorCode } from './campaigns.errors';
import { CampaignCounts, CampaignFilter, CampaignsRepository } from './campaigns.repository';

export interface CampaignProgress extends CampaignCounts {
  id: string;
  name: string;
  filter: CampaignFilter;
  createdBy: string;
  createdAt: string;
  dueAt: string;
  /** Share of the campaign's reviews that are closed, 0..1. */
  progress: number;
}

/** A campaign's progress and outcome so far: reviews open, overdue, certified, revoked, suspended. */
@Injectable()
export class CampaignProgressUseCase {
  constructor(private readonly campaigns: CampaignsRepository) {}

  async execute(id: string): Promise<CampaignProgress> {
    const campaign = await this.campaigns.find(id);
    if (!campaign) throw new CampaignError(CampaignErrorCode.CampaignNotFound, `no campaign ${id}`);
    const c = await this.campaigns.counts(id);
    return {
      id,
      name: campaign.name,
      filter: campaign.filter,
      createdBy: campaign.createdBy,
      createdAt: campaign.createdAt.toISOString(),
      dueAt: campaign.dueAt.toISOString(),
      total: c.total,
      decided: c.decided,
      certified: c.certified,
      revoked: c.revoked,
      suspended: c.suspended,
      closedWithoutDecision: c.closedWithoutDecision,
      open: c.open,
      overdue: c.overdue,
      progress: c.total === 0 ? 1 : (c.total - c.open) / c.total,
    };
  }
}
