import { IdentityLifecycleEvent } from '../events/identity.lifecycle.v1/identity-lifecycle.types';

export const AGENT_STATUSES = ['active', 'suspended', 'deprovisioned'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

export const OWNER_STATUSES = ['active', 'suspended', 'terminated'] as const;
export type OwnerStatus = (typeof OWNER_STATUSES)[number];

export type OwnerLifecycleKind = IdentityLifecycleEvent['kind'];

/**
 * The owner status an `identity.lifecycle.v1` kind leads to. A transfer moves an owner's agents to another
 * owner and leaves the owner's own status alone, so it has none.
 */
export const OWNER_STATUS_AFTER: Readonly<Record<OwnerLifecycleKind, OwnerStatus | undefined>> = {
  'owner.terminated': 'terminated',
  'owner.suspended': 'suspended',
  'owner.reinstated': 'active',
  'owner.transferred': undefined,
};
