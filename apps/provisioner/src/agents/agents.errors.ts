import { DomainError } from '@agentgov/service-runtime';

/** Why the registry refused a request; each is a stable code in the problem details. */
export enum RegistryErrorCode {
  AgentNotFound = 'AGENT_NOT_FOUND',
  OwnerNotFound = 'OWNER_NOT_FOUND',
  OwnerNotActive = 'OWNER_NOT_ACTIVE',
  ParentNotFound = 'PARENT_NOT_FOUND',
  ParentNotActive = 'PARENT_NOT_ACTIVE',
  ScopesExceedParent = 'SCOPES_EXCEED_PARENT',
  OutlivesParent = 'OUTLIVES_PARENT',
  DelegationTooDeep = 'DELEGATION_TOO_DEEP',
  ExpiryInPast = 'EXPIRY_IN_PAST',
  AgentDeprovisioned = 'AGENT_DEPROVISIONED',
  IllegalTransition = 'ILLEGAL_STATUS_TRANSITION',
}

const STATUS: Record<RegistryErrorCode, [number, string]> = {
  [RegistryErrorCode.AgentNotFound]: [404, 'Agent not found'],
  [RegistryErrorCode.OwnerNotFound]: [422, 'The accountable owner is not in the registry'],
  [RegistryErrorCode.OwnerNotActive]: [422, 'The accountable owner is not active'],
  [RegistryErrorCode.ParentNotFound]: [422, 'The parent agent is not in the registry'],
  [RegistryErrorCode.ParentNotActive]: [422, 'The parent agent is not active'],
  [RegistryErrorCode.ScopesExceedParent]: [422, "A sub-agent's scopes must be a subset of its parent's"],
  [RegistryErrorCode.OutlivesParent]: [422, 'A sub-agent cannot outlive its parent'],
  [RegistryErrorCode.DelegationTooDeep]: [422, 'The delegation tree would be deeper than allowed'],
  [RegistryErrorCode.ExpiryInPast]: [422, 'The expiry is in the past'],
  [RegistryErrorCode.AgentDeprovisioned]: [409, 'The agent is deprovisioned'],
  [RegistryErrorCode.IllegalTransition]: [409, 'That status change is not allowed from the current status'],
};

export class RegistryError extends DomainError {
  constructor(code: RegistryErrorCode, detail: string) {
    const [status, title] = STATUS[code];
    super({ code, status, title, detail });
  }
}
