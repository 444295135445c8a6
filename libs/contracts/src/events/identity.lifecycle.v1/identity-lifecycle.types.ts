/**
 * GENERATED from identity.lifecycle.v1/identity-lifecycle.schema.json by scripts/generate-contract-types.ts. Do not edit by hand:
 * change the schema and run `node -r @swc-node/register scripts/generate-contract-types.ts`.
 */

/**
 * A human owner's lifecycle change, from HR or an identity provider. Keyed by ownerId.
 */
export interface IdentityLifecycleEvent {
  /**
   * What happened to the owner.
   */
  kind: 'owner.terminated' | 'owner.suspended' | 'owner.reinstated' | 'owner.transferred';
  /**
   * The owner's id in agentgov.
   */
  ownerId: string;
  /**
   * The owner's id at the source system (Workday worker id, Okta user id, SCIM id).
   */
  externalId?: string;
  /**
   * The system that reported the change.
   */
  source: string;
  /**
   * When the change happened at the source.
   */
  occurredAt: string;
  /**
   * For owner.transferred: the new manager's id.
   */
  newManagerId?: string;
  /**
   * The owner's manager as the registry knows them when the event is reported (before a transfer takes effect); who reviews the owner's agents once the owner is gone.
   */
  managerId?: string;
  /**
   * For owner.transferred: the new team.
   */
  newTeam?: string;
  /**
   * Free-text reason from the source.
   */
  reason?: string;
}
