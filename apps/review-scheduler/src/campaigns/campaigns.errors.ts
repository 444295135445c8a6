import { DomainError } from '@agentgov/service-runtime';

/** Why a campaign request was refused; each is a stable code in the problem details. */
export enum CampaignErrorCode {
  CampaignNotFound = 'CAMPAIGN_NOT_FOUND',
  NoMatchingAgents = 'NO_MATCHING_AGENTS',
  CampaignTooLarge = 'CAMPAIGN_TOO_LARGE',
}

const STATUS: Record<CampaignErrorCode, [number, string]> = {
  [CampaignErrorCode.CampaignNotFound]: [404, 'Campaign not found'],
  [CampaignErrorCode.NoMatchingAgents]: [422, 'No live agent matches the campaign'],
  [CampaignErrorCode.CampaignTooLarge]: [422, 'Too many agents for one campaign'],
};

export class CampaignError extends DomainError {
  constructor(code: CampaignErrorCode, detail: string) {
    const [status, title] = STATUS[code];
    super({ code, status, title, detail });
  }
}
