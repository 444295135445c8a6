/**
 * GENERATED from containment.alert.v1/containment-alert.schema.json by scripts/generate-contract-types.ts. Do not edit by hand:
 * change the schema and run `node -r @swc-node/register scripts/generate-contract-types.ts`.
 */

export type OcsfValue = string | number | boolean | null | OcsfArray | OcsfObject;
/**
 * @maxItems 256
 */
export type OcsfArray = OcsfValue[];

/**
 * The current state of a containment incident, for the SOC; each change re-publishes the whole incident. Keyed by agentId.
 */
export interface ContainmentAlertEvent {
  /**
   * The incident's id.
   */
  incidentId: string;
  /**
   * The agent as the reporting system names it: a registered agent's id (uuid), or for a shadow agent whatever id the activity carried.
   */
  agentId: string;
  /**
   * The agent's owner, when known.
   */
  ownerId?: string;
  /**
   * Risk tier of the agent.
   */
  riskTier?: 'low' | 'medium' | 'high' | 'critical';
  /**
   * Incident status.
   */
  status: 'open' | 'acknowledged' | 'contained' | 'released' | 'confirmed' | 'closed';
  /**
   * Incident severity.
   */
  severity: 'low' | 'medium' | 'high' | 'critical';
  /**
   * Highest anomaly score of the episode.
   */
  score: number;
  /**
   * Which features explain the score.
   *
   * @maxItems 32
   */
  explanation: AlertExplanationFeature[];
  /**
   * Actions taken in the incident.
   *
   * @maxItems 64
   */
  actions: AlertAction[];
  ocsf: OcsfDetectionFinding;
  /**
   * When the incident last changed.
   */
  updatedAt: string;
}
export interface AlertExplanationFeature {
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
export interface AlertAction {
  /**
   * The containment action.
   */
  actionId: string;
  /**
   * Kind of action.
   */
  kind: 'contain' | 'release' | 'deprovision';
  /**
   * One receipt per connector.
   *
   * @maxItems 32
   */
  receipts: ConnectorReceipt[];
}
export interface ConnectorReceipt {
  /**
   * Connector name.
   */
  connector: string;
  /**
   * Delivery status at the connector. superseded: a later action for the same agent reached this connector first, so this one was not (or no longer) delivered.
   */
  status: 'pending' | 'sent' | 'confirmed' | 'failed' | 'retrying' | 'superseded';
  /**
   * Why it failed, is retrying or was superseded.
   */
  reason?: string;
  /**
   * When the status was recorded.
   */
  at: string;
}
/**
 * OCSF Detection Finding (class_uid 2004); other OCSF attributes are allowed.
 */
export interface OcsfDetectionFinding {
  /**
   * Detection Finding.
   */
  class_uid: 2004;
  /**
   * Findings.
   */
  category_uid: 2;
  /**
   * 1 Create, 2 Update, 3 Close.
   */
  activity_id: 0 | 1 | 2 | 3 | 99;
  /**
   * 1 Informational .. 5 Critical, 6 Fatal.
   */
  severity_id: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 99;
  /**
   * Epoch milliseconds.
   */
  time: number;
  finding_info: OcsfFindingInfo;
  [k: string]: OcsfValue;
}
export interface OcsfFindingInfo {
  /**
   * Finding id (the incident id).
   */
  uid: string;
  /**
   * Finding title.
   */
  title: string;
  [k: string]: OcsfValue;
}
export interface OcsfObject {
  [k: string]: OcsfValue;
}
