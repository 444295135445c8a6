/**
 * GENERATED from agent.lifecycle.v1/agent-lifecycle.schema.json by scripts/generate-contract-types.ts. Do not edit by hand:
 * change the schema and run `node -r @swc-node/register scripts/generate-contract-types.ts`.
 */

/**
 * The state of an agent after a lifecycle change, produced by the provisioner. Keyed by agentId.
 */
export interface AgentLifecycleEvent {
  /**
   * What happened to the agent.
   */
  kind:
    | 'agent.registered'
    | 'agent.updated'
    | 'agent.suspended'
    | 'agent.reactivated'
    | 'agent.deprovisioned'
    | 'agent.scopes-changed'
    | 'agent.owner-changed'
    | 'agent.credentials-revoked';
  /**
   * The agent's id.
   */
  agentId: string;
  /**
   * The accountable human owner.
   */
  ownerId: string;
  /**
   * The agent that spawned this one, for sub-agents.
   */
  parentAgentId?: string;
  /**
   * Display name.
   */
  name: string;
  /**
   * Why the agent exists.
   */
  purpose: string;
  /**
   * Runtime or vendor, e.g. langgraph, openai-assistants.
   */
  platform: string;
  /**
   * Risk tier of the agent.
   */
  riskTier: 'low' | 'medium' | 'high' | 'critical';
  /**
   * Scopes the agent holds after the change.
   *
   * @maxItems 256
   */
  scopes: string[];
  /**
   * Status after the change.
   */
  status: 'active' | 'suspended' | 'deprovisioned';
  /**
   * Why the status is what it is.
   */
  statusReason?: string;
  /**
   * When a time-bound agent expires.
   */
  expiresAt?: string;
  /**
   * When the agent's client secret was last set (at registration or by a rotation).
   */
  credentialsRotatedAt?: string;
  /**
   * When the change was made.
   */
  occurredAt: string;
  cause: AgentLifecycleCause;
}
/**
 * What caused the change.
 */
export interface AgentLifecycleCause {
  /**
   * api: a person or client called the API; event: another event; system: a scheduled job.
   */
  type: 'api' | 'event' | 'system';
  /**
   * Who acted (user or client id).
   */
  actor?: string;
  /**
   * ce_id of the event that caused the change: an identity.lifecycle.v1, a review.decision.v1 or a containment.action.v1. Echo rule: when the cause is a containment.action.v1, this is that event's ce_id, which equals its actionId. Containment takes the agent.lifecycle.v1 of the agent named in that action, with this eventId, as the echo of its own action and does not fan it out to the connectors again; the sub-agents changed with it carry the same eventId but are not the action's agent, so their events are fanned out.
   */
  eventId?: string;
}
