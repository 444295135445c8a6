import { DomainError } from '@agentgov/service-runtime';

/** Why a delegation grant was refused; each is a stable code in the problem details. */
export enum DelegationErrorCode {
  AgentNotFound = 'AGENT_NOT_FOUND',
  AgentDeprovisioned = 'AGENT_DEPROVISIONED',
  SelfDelegation = 'SELF_DELEGATION',
  GrantNotFound = 'DELEGATION_GRANT_NOT_FOUND',
}

const STATUS: Record<DelegationErrorCode, [number, string]> = {
  [DelegationErrorCode.AgentNotFound]: [404, 'Agent not found'],
  [DelegationErrorCode.AgentDeprovisioned]: [409, 'The agent is deprovisioned'],
  [DelegationErrorCode.SelfDelegation]: [422, 'An agent cannot be its own delegate'],
  [DelegationErrorCode.GrantNotFound]: [404, 'No such delegation grant'],
};

export class DelegationError extends DomainError {
  constructor(code: DelegationErrorCode, detail: string) {
    const [status, title] = STATUS[code];
    super({ code, status, title, detail });
  }
}
