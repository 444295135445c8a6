import { ReactNode } from 'react';

import { AgentPage } from '../agents/AgentPage';
import { AgentsAndOwnersPage } from '../agents/AgentsAndOwnersPage';
import { Role } from '../config';
import { IdentitySignalsPage } from '../identity-signals/IdentitySignalsPage';
import { IncidentPage } from '../incidents/IncidentPage';
import { IncidentsQueue } from '../incidents/IncidentsQueue';
import { OwnerPage } from '../owners/OwnerPage';
import { PolicyPage } from '../policy/PolicyPage';
import { CampaignPage } from '../reviews/CampaignPage';
import { CampaignsPage } from '../reviews/CampaignsPage';
import { ReviewPage } from '../reviews/ReviewPage';
import { ReviewsPage } from '../reviews/ReviewsPage';

/**
 * Every page of the console. A page is shown to the roles listed (the services refuse everyone else anyway, and the
 * console explains the refusal); top-level pages with `nav` appear in the navigation, in this order. New pages (agents,
 * owners, reviews, policy) are added here.
 */
export interface ConsolePage {
  /** URL pattern: /incidents, /incidents/:id. */
  path: string;
  roles: readonly Role[];
  /** The label in the navigation, for a top-level page. */
  nav?: string;
  /** The page's title (the document title). */
  title: string;
  render(params: Record<string, string>): ReactNode;
}

export const PAGES: readonly ConsolePage[] = [
  { path: '/incidents', nav: 'Incidents', title: 'Incidents', roles: ['admin', 'soc-analyst'], render: () => <IncidentsQueue /> },
  { path: '/incidents/:id', title: 'Incident', roles: ['admin', 'soc-analyst'], render: ({ id }) => <IncidentPage incidentId={id} /> },
  { path: '/reviews', nav: 'Reviews', title: 'Reviews', roles: ['admin', 'reviewer'], render: () => <ReviewsPage /> },
  { path: '/reviews/:id', title: 'Review', roles: ['admin', 'reviewer'], render: ({ id }) => <ReviewPage reviewId={id} /> },
  { path: '/campaigns', nav: 'Campaigns', title: 'Campaigns and reports', roles: ['admin'], render: () => <CampaignsPage /> },
  { path: '/campaigns/:id', title: 'Campaign', roles: ['admin'], render: ({ id }) => <CampaignPage campaignId={id} /> },
  { path: '/agents', nav: 'Agents and owners', title: 'Agents and owners', roles: ['admin', 'soc-analyst', 'reviewer'], render: () => <AgentsAndOwnersPage /> },
  { path: '/agents/:id', title: 'Agent', roles: ['admin', 'soc-analyst', 'reviewer'], render: ({ id }) => <AgentPage agentId={id} /> },
  { path: '/owners/:id', title: 'Owner', roles: ['admin', 'soc-analyst', 'reviewer'], render: ({ id }) => <OwnerPage ownerId={id} /> },
  { path: '/identity-signals', nav: 'Identity signals', title: 'Identity signals', roles: ['admin', 'soc-analyst'], render: () => <IdentitySignalsPage /> },
  { path: '/policy', nav: 'Policy', title: 'Containment policy', roles: ['admin', 'soc-analyst'], render: () => <PolicyPage /> },
];
