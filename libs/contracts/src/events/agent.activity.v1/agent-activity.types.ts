/**
 * GENERATED from agent.activity.v1/agent-activity.schema.json by scripts/generate-contract-types.ts. Do not edit by hand:
 * change the schema and run `node -r @swc-node/register scripts/generate-contract-types.ts`.
 */

/**
 * One action an agent took (or tried to take). Keyed by agentId.
 */
export interface AgentActivityEvent {
  /**
   * The agent as the reporting system names it: a registered agent's id (uuid), or for a shadow agent whatever id the activity carried.
   */
  agentId: string;
  /**
   * When the action happened.
   */
  occurredAt: string;
  /**
   * What the agent did, e.g. crm.records.export.
   */
  action: string;
  /**
   * Kind of resource acted on.
   */
  resourceType: string;
  /**
   * The resource acted on.
   */
  resourceId?: string;
  /**
   * Tool or API the agent used.
   */
  tool?: string;
  /**
   * Records read or written.
   */
  recordsTouched: number;
  /**
   * Whether the action was allowed.
   */
  outcome: 'allowed' | 'denied' | 'error';
  origin?: ActivityOrigin;
  /**
   * Scope the action used.
   */
  scope?: string;
}
/**
 * Where the request came from.
 */
export interface ActivityOrigin {
  /**
   * Client IP address.
   */
  ip?: string;
  /**
   * Client user agent.
   */
  userAgent?: string;
  /**
   * Host the agent ran on.
   */
  host?: string;
}
