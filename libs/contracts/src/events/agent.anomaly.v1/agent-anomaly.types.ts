/**
 * GENERATED from agent.anomaly.v1/agent-anomaly.schema.json by scripts/generate-contract-types.ts. Do not edit by hand:
 * change the schema and run `node -r @swc-node/register scripts/generate-contract-types.ts`.
 */

/**
 * An agent behaving outside its baseline, or activity from an unregistered (shadow) agent. Keyed by agentId.
 */
export interface AgentAnomalyEvent {
  /**
   * The agent as the reporting system names it: a registered agent's id (uuid), or for a shadow agent whatever id the activity carried.
   */
  agentId: string;
  /**
   * behavior: a registered agent off its baseline; shadow-agent: activity from an unknown agent id.
   */
  kind: 'behavior' | 'shadow-agent';
  /**
   * Anomaly score, 0 normal to 1 certainly anomalous.
   */
  score: number;
  /**
   * One episode groups the anomalies of one continuous deviation.
   */
  episodeId: string;
  /**
   * Where in its episode this anomaly is.
   */
  episodeState: 'started' | 'ongoing' | 'ended';
  /**
   * When the triggering activity happened.
   */
  observedAt: string;
  /**
   * ce_id of the triggering agent.activity.v1 event.
   */
  eventId?: string;
  /**
   * Which features explain the score.
   *
   * @maxItems 32
   */
  features: AnomalyFeature[];
  /**
   * The agent's owner, when known.
   */
  ownerId?: string;
  /**
   * Risk tier of the agent.
   */
  riskTier?: 'low' | 'medium' | 'high' | 'critical';
  /**
   * One line an analyst can read.
   */
  summary: string;
}
export interface AnomalyFeature {
  /**
   * Feature name, e.g. records_per_10m.
   */
  name: string;
  /**
   * Value the baseline expected.
   */
  expected: number;
  /**
   * Value observed.
   */
  observed: number;
  /**
   * Share of the score this feature explains.
   */
  contribution: number;
}
