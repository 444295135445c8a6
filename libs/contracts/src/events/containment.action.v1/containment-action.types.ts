/**
 * GENERATED from containment.action.v1/containment-action.schema.json by scripts/generate-contract-types.ts. Do not edit by hand:
 * change the schema and run `node -r @swc-node/register scripts/generate-contract-types.ts`.
 */

/**
 * A containment decision about an agent: contain (suspend and revoke), release, or deprovision. Keyed by agentId.
 */
export interface ContainmentActionEvent {
  /**
   * The action's id. The event's ce_id is this same id. Echo rule: the provisioner carries the action out and names this id as cause.eventId of the agent.lifecycle.v1 events it emits; containment takes the one for this agentId as the echo of its own action and does not fan it out to the connectors a second time.
   */
  actionId: string;
  /**
   * The agent as the reporting system names it: a registered agent's id (uuid), or for a shadow agent whatever id the activity carried.
   */
  agentId: string;
  /**
   * The agent's owner, when known.
   */
  ownerId?: string;
  /**
   * contain: suspend and revoke every token; release: restore with fresh credentials; deprovision: end the agent.
   */
  kind: 'contain' | 'release' | 'deprovision';
  /**
   * Why.
   */
  reason: string;
  /**
   * The incident the action belongs to.
   */
  incidentId?: string;
  requestedBy: ContainmentRequester;
  /**
   * When the action was decided.
   */
  occurredAt: string;
}
/**
 * Who asked for the action.
 */
export interface ContainmentRequester {
  /**
   * policy: automatic by score band; analyst: a SOC analyst; system: another automated cause.
   */
  type: 'policy' | 'analyst' | 'system';
  /**
   * The analyst's user id, or the policy rule.
   */
  actor?: string;
}
