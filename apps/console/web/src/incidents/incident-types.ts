/** An incident as containment's API shows it (GET /incidents, /incidents/{id}, the live stream). */
export interface Incident {
  incidentId: string;
  agentId: string;
  ownerId?: string;
  riskTier?: RiskTier;
  status: IncidentStatus;
  severity: Severity;
  score: number;
  explanation: Array<{ name: string; expected: number; observed: number; contribution: number }>;
  actions: IncidentAction[];
  updatedAt: string;
  kind: 'behavior' | 'shadow-agent' | 'manual' | 'connector-failure';
  summary: string;
  band: string;
  policyVersion: number | null;
  episodeOpen: boolean;
  acknowledgedBy: string | null;
  releasedAt: string | null;
  releaseRequest: { by: string; at: string } | null;
  openedAt: string;
}

export interface IncidentAction {
  actionId: string;
  kind: 'contain' | 'release' | 'deprovision';
  origin: string | null;
  requestedBy: string | null;
  decidedAt: string | null;
  receipts: Array<{ connector: string; status: ReceiptStatus; reason?: string; at: string }>;
}

export interface AuditEntry {
  at: string;
  actor: string;
  actorType: string;
  action: string;
  reason?: string | null;
  details?: Record<string, unknown> | null;
}

export type IncidentDetail = Incident & { audit: AuditEntry[] };

export type IncidentStatus = 'open' | 'acknowledged' | 'contained' | 'released' | 'confirmed' | 'closed';
export type Severity = 'low' | 'medium' | 'high' | 'critical';
export type RiskTier = 'low' | 'medium' | 'high' | 'critical';
export type ReceiptStatus = 'pending' | 'sent' | 'confirmed' | 'failed' | 'retrying' | 'superseded';

export const STATUSES: readonly IncidentStatus[] = ['open', 'acknowledged', 'contained', 'released', 'confirmed', 'closed'];
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low'];
export const RISK_TIERS: readonly RiskTier[] = ['critical', 'high', 'medium', 'low'];
