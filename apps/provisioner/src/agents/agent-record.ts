import { AgentStatus, RiskTier, TopicPayloads } from '@agentgov/contracts';

import { Cause } from '../common/cause';

export type AgentLifecycleKind = TopicPayloads['agent.lifecycle.v1']['kind'];

/** An agent as the registry holds it (never with its secret hash). */
export interface AgentRecord {
  id: string;
  name: string;
  ownerId: string;
  parentId: string | null;
  depth: number;
  purpose: string;
  platform: string;
  riskTier: RiskTier;
  scopes: string[];
  status: AgentStatus;
  statusReason: string | null;
  statusCause: string | null;
  createdBy: string;
  expiresAt: Date | null;
  tokensNotBefore: Date | null;
  secretRotatedAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

/** Columns to select for an AgentRecord; the secret hash is deliberately not among them. */
export const AGENT_COLUMNS = `"id", "name", "owner_id", "parent_id", "depth", "purpose", "platform", "risk_tier", "scopes", "status",
  "status_reason", "status_cause", "created_by", "expires_at", "tokens_not_before", "secret_rotated_at", "created_at", "updated_at"`;

export function rowToAgent(row: Record<string, any>): AgentRecord {
  const notBefore = row.tokens_not_before instanceof Date && Number.isFinite(row.tokens_not_before.getTime()) ? row.tokens_not_before : null;
  return {
    id: row.id,
    name: row.name,
    ownerId: row.owner_id,
    parentId: row.parent_id ?? null,
    depth: row.depth,
    purpose: row.purpose,
    platform: row.platform,
    riskTier: row.risk_tier,
    scopes: row.scopes ?? [],
    status: row.status,
    statusReason: row.status_reason ?? null,
    statusCause: row.status_cause ?? null,
    createdBy: row.created_by,
    expiresAt: row.expires_at ?? null,
    tokensNotBefore: notBefore,
    secretRotatedAt: row.secret_rotated_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The agent.lifecycle.v1 event announcing an agent's state after a change. */
export function agentLifecycleEvent(agent: AgentRecord, kind: AgentLifecycleKind, cause: Cause, at: Date): TopicPayloads['agent.lifecycle.v1'] {
  return {
    kind,
    agentId: agent.id,
    ownerId: agent.ownerId,
    ...(agent.parentId ? { parentAgentId: agent.parentId } : {}),
    name: agent.name,
    purpose: agent.purpose,
    platform: agent.platform,
    riskTier: agent.riskTier,
    scopes: agent.scopes,
    status: agent.status,
    ...(agent.statusReason ? { statusReason: agent.statusReason.slice(0, 500) } : {}),
    ...(agent.expiresAt ? { expiresAt: agent.expiresAt.toISOString() } : {}),
    ...(agent.secretRotatedAt ? { credentialsRotatedAt: new Date(agent.secretRotatedAt).toISOString() } : {}),
    occurredAt: at.toISOString(),
    cause,
  };
}

/** The JSON shape of an agent in API answers. */
export function agentView(agent: AgentRecord) {
  return {
    id: agent.id,
    name: agent.name,
    ownerId: agent.ownerId,
    parentAgentId: agent.parentId,
    depth: agent.depth,
    purpose: agent.purpose,
    platform: agent.platform,
    riskTier: agent.riskTier,
    scopes: agent.scopes,
    status: agent.status,
    statusReason: agent.statusReason,
    createdBy: agent.createdBy,
    expiresAt: agent.expiresAt?.toISOString() ?? null,
    createdAt: agent.createdAt.toISOString(),
    updatedAt: agent.updatedAt.toISOString(),
  };
}
