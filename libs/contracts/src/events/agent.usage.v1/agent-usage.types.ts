/**
 * GENERATED from agent.usage.v1/agent-usage.schema.json by scripts/generate-contract-types.ts. Do not edit by hand:
 * change the schema and run `node -r @swc-node/register scripts/generate-contract-types.ts`.
 */

/**
 * A periodic per-agent summary of what an agent used in a window. Keyed by agentId.
 */
export interface AgentUsageEvent {
  /**
   * The agent as the reporting system names it: a registered agent's id (uuid), or for a shadow agent whatever id the activity carried.
   */
  agentId: string;
  /**
   * Start of the summarised window (inclusive).
   */
  windowStart: string;
  /**
   * End of the summarised window (exclusive).
   */
  windowEnd: string;
  /**
   * Last activity seen from the agent.
   */
  lastSeenAt: string;
  /**
   * Number of actions in the window.
   */
  actions: number;
  /**
   * Actions in the window, by action name.
   */
  actionsByName?: {
    [k: string]: number;
  };
  /**
   * Tools used in the window.
   *
   * @maxItems 256
   */
  toolsUsed: string[];
  /**
   * Scopes used in the window.
   *
   * @maxItems 256
   */
  scopesUsed: string[];
  /**
   * Resource types touched in the window.
   *
   * @maxItems 256
   */
  resourceTypes: string[];
}
