import { Agent } from '../directory/directory';

/** An agent as the provisioner shows it (GET /agents, /agents/{id}, /owners/{id}/agents). */
export interface RegistryAgent extends Agent {
  depth: number;
  purpose: string;
  platform: string;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

/** An owner as the provisioner shows it (GET /owners, /owners/{id}). */
export interface RegistryOwner {
  id: string;
  email: string | null;
  phone: string | null;
  displayName: string | null;
  managerId: string | null;
  team: string | null;
  status: 'active' | 'suspended' | 'terminated';
  statusReason: string | null;
  statusChangedAt: string | null;
  createdAt: string;
  updatedAt: string;
  identities: Array<{ source: string; externalId: string }>;
}

/** A page of agents (GET /agents, /owners/{id}/agents). */
export interface AgentPage {
  items: RegistryAgent[];
  nextAfter: string | null;
}

/** The baseliner's view of an agent (GET /agents/{agentId}/baseline), the parts the agent page shows. */
export interface AgentBaseline {
  agentId: string;
  warm: boolean;
  eventsLearnt: number;
  checkpointedAt: string;
  baseline: { actionsPer10Minutes: number | null; recordsPer10Minutes: number | null; deniedShare: number; activeHoursUtc: number[] };
  episode: { id: string; startedAt: string; lastAboveAt: string; peakScore: number } | null;
  recentScores: Array<{ at: string; score: number }>;
}

export const AGENT_STATUSES = ['active', 'suspended', 'deprovisioned'] as const;
export const OWNER_STATUSES = ['active', 'suspended', 'terminated'] as const;
export const RISK_TIERS = ['critical', 'high', 'medium', 'low'] as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a text is an agent id (the provisioner names agents by uuid). */
export function isAgentId(text: string): boolean {
  return UUID.test(text.trim());
}

/** An owner's name as people know them. */
export function ownerLabel(owner: Pick<RegistryOwner, 'id' | 'displayName' | 'email'>): string {
  return owner.displayName ?? owner.email ?? owner.id;
}
