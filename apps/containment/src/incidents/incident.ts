import { RiskTier, TopicPayloads } from '@agentgov/contracts';

import { Band } from '../policy/containment-policy';

type Alert = TopicPayloads['containment.alert.v1'];

export type IncidentStatus = Alert['status'];
export type IncidentKind = 'behavior' | 'shadow-agent' | 'manual' | 'connector-failure';
export type Explanation = Alert['explanation'];

export interface Incident {
  id: string;
  agentId: string;
  kind: IncidentKind;
  ownerId?: string;
  riskTier?: RiskTier;
  status: IncidentStatus;
  /** The strongest band policy (or an analyst) has applied so far. */
  band: Band;
  severity: Alert['severity'];
  /** Highest score of the incident's episodes. */
  score: number;
  explanation: Explanation;
  summary: string;
  policyVersion?: number;
  /** False once the baseliner reported the latest episode ended. */
  episodeOpen: boolean;
  acknowledgedBy?: string;
  acknowledgedAt?: Date;
  /** The score the incident had when an analyst released it: within the cooldown only a higher one acts again. */
  releasedScore?: number;
  releasedAt?: Date;
  /** A release that needs a second analyst, as the first one asked for it. */
  releaseRequest?: { by: string; at: Date; reason: string };
  openedAt: Date;
  updatedAt: Date;
  /** Counts the changes published on containment.alert.v1. */
  revision: number;
}

export type AnalystDecision = 'acknowledge' | 'close' | 'release' | 'confirm';

/**
 * Which analyst decisions each status allows. Acknowledging records who took the incident (a contained one
 * stays contained); closing dismisses an incident that contained nothing; only a containment can be released.
 */
export const ANALYST_TRANSITIONS: Record<AnalystDecision, readonly IncidentStatus[]> = {
  acknowledge: ['open', 'contained'],
  close: ['open', 'acknowledged'],
  release: ['contained'],
  confirm: ['open', 'acknowledged', 'contained', 'released'],
};
